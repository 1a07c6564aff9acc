// The OpenAPI description, built on its first request (issue 11 §6, start to ready). @fastify/swagger,
// registered as a plugin, loads itself, yaml and its schema resolver when the box starts (≈50 ms of CPU and
// ≈5 MB of memory on this machine) for a document nobody may ask for. Here the box only records, from its
// first route on, what the plugin's hooks would have seen — every route as registered (onRoute), every
// plugin instance (onRegister) — and `app.swagger()` loads the plugin on first use and replays that record
// into it through a stand-in for the fastify instance: the document is the plugin's own, built from the
// same routes in the same order with the same options (test/unit/openapi-lazy.test.ts compares the two).
import { createRequire } from 'node:module';
import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';

const require = createRequire(import.meta.url);

type Hook = (...args: unknown[]) => unknown;
type SwaggerFn = FastifyInstance['swagger'];
type Plugin = (instance: unknown, opts: SwaggerOptions, done: (err?: Error) => void) => void;

/**
 * Decorates `app.swagger()` as @fastify/swagger does (same options), loading the plugin on the first call.
 * Call it where the plugin was registered: before the routes it is to describe.
 */
export function lazySwagger(app: FastifyInstance, opts: SwaggerOptions): void {
  const routes: RouteOptions[] = [];
  const instances: FastifyInstance[] = [];
  let ready = false;
  app.addHook('onRoute', (route) => void routes.push(route));
  app.addHook('onRegister', (instance) => void instances.push(instance));
  app.addHook('onReady', async () => {
    ready = true;
  });

  let built: SwaggerFn | undefined;
  const build = (): SwaggerFn => {
    // The plugin's own checks: its document is read after ready (then every schema is known).
    if (!ready) throw new Error('.swagger() must be called after .ready()');
    const { fastifySwagger } = require('@fastify/swagger') as { fastifySwagger: Plugin };
    let swagger: SwaggerFn | undefined;
    const onReady: Hook[] = [];
    // What the plugin uses of the instance: its hooks get the record at once, its onReady hooks run
    // after the replay (the box is ready already), its decorator is kept, the schemas are the box's.
    const standIn = {
      addHook(name: string, fn: Hook) {
        if (name === 'onRoute') for (const r of routes) fn(r);
        else if (name === 'onRegister') for (const i of instances) fn(i);
        else if (name === 'onReady') onReady.push(fn);
        else throw new Error(`lazySwagger: the plugin asked for a ${name} hook, which this stand-in does not replay`);
        return standIn;
      },
      decorate(name: string, fn: SwaggerFn) {
        if (name === 'swagger') swagger = fn;
        return standIn;
      },
      getSchemas: () => app.getSchemas(),
    };
    let failed: Error | undefined;
    fastifySwagger(standIn, { ...opts }, (err) => void (failed = err));
    if (failed) throw failed;
    for (const fn of onReady) {
      fn((err?: Error) => {
        if (err) failed = err;
      });
    }
    if (failed) throw failed;
    if (!swagger) throw new Error('lazySwagger: @fastify/swagger did not decorate swagger()');
    return swagger;
  };
  const swagger = ((o?: { yaml?: boolean }) => (built ??= build())(o as never)) as SwaggerFn;
  app.decorate('swagger', swagger);
}

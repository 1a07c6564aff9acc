// Vite build of the web UI. Preact through esbuild's automatic JSX runtime (no extra plugin).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 200,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8328', '/healthz': 'http://127.0.0.1:8328' } },
});

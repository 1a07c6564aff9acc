// Types of packaging/source-hash.js (plain JavaScript so that `npm install`'s prepare step needs no tsx).
export declare const root: string;
export declare function buildSourceHash(): string;
export declare function builtSourceHash(dist?: string): string | null;

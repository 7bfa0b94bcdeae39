/**
 * The console's build: one HTML file, hashed JS and CSS files, nothing inline (the API serves it under a strict
 * Content-Security-Policy: scripts and styles from 'self' only) and nothing fetched from elsewhere at run time.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser the console supports has modulepreload; the polyfill would be one more script.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into the CSS or JS: the policy allows images from 'self'.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite --config console/vite.config.mts`: the API on its usual port answers the console's calls.
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
});

import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// The daemon serves dist/ as static files from its own origin, so asset URLs
// are relative and the app uses hash routing (no server-side route table).
// `npm run dev` proxies the API to a local daemon or to tests/mock-server.mjs.
const apiTarget = process.env.PS_API ?? 'http://127.0.0.1:9470';

export default defineConfig({
  base: './',
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, ws: true, changeOrigin: false },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
  },
});

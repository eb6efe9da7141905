// The dashboard's build: `npm install` runs it (the root package's `prepare` script) into web/dist,
// which `escapement serve` serves at /.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development, against `escapement serve` on 7373.
    proxy: { '/api': 'http://127.0.0.1:7373', '/healthz': 'http://127.0.0.1:7373' },
  },
});

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Built as the Mini App is (apps/webapp/vite.config.ts): the same target, no preload polyfill. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { target: 'es2022', sourcemap: false, modulePreload: { polyfill: false } },
  logLevel: 'warn',
});

import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

/**
 * The web portal. `vite build` writes `dist/`, which the api serves under `/portal/`
 * (PORTAL_DIST_DIR). `vite` (development) proxies the api, so the session cookie and the
 * sign-in redirect stay on one origin.
 */
export default defineConfig(({ mode }) => {
  const env = { ...process.env, ...loadEnv(mode, process.cwd(), '') };
  const apiUrl = env.PAYREQ_API_URL ?? 'http://127.0.0.1:3000';
  return {
    base: '/portal/',
    plugins: [react()],
    build: {
      target: 'es2022',
      sourcemap: false,
      chunkSizeWarningLimit: 700,
      rolldownOptions: {
        treeshake: {
          moduleSideEffects: (id: string) => !id.includes('/packages/contracts/'),
        },
        // The portal imports the form's checks up front; only the Mini App defers them (the
        // shared `loadFormValidation` asks for the module the portal already holds).
        checks: { ineffectiveDynamicImport: false },
      },
    },
    server: {
      host: '127.0.0.1',
      port: Number(env.PORTAL_DEV_PORT ?? 5174),
      proxy: { '/trpc': apiUrl, '/portal/auth': apiUrl, '/portal/files': apiUrl },
    },
  };
});

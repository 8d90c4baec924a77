import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The api's own roads: never answered with the Mini App's page. */
const apiPrefixes = ['/trpc', '/onec', '/bot', '/miniapp', '/healthz', '/metrics'];

function isApiPath(urlPath: string): boolean {
  return apiPrefixes.some((prefix) => urlPath === prefix || urlPath.startsWith(`${prefix}/`));
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** A built front end the api serves: its `vite build` output, under a URL prefix. */
export interface Frontend {
  /** For the log: `Mini App`. */
  name: string;
  /** `/` or `/<name>/`: its pages and files live under it. */
  prefix: string;
  distDir: string | null | undefined;
  /** How to build it, for the warning when the build is missing. */
  build?: string;
}

/** Serves each built front end under its prefix (a longer prefix wins over `/`). */
export async function registerFrontends(app: FastifyInstance, frontends: Frontend[]) {
  for (const frontend of frontends) {
    // The front ends under their own prefixes are not the Mini App's pages.
    const others = frontends
      .filter((other) => other !== frontend && other.prefix.startsWith(frontend.prefix))
      .map((other) => other.prefix.replace(/\/$/, ''));
    await registerWebapp(app, frontend, others);
  }
}

/**
 * Serves one built front end (the Mini App: `apps/webapp/dist`, WEBAPP_DIST_DIR) from the api,
 * so one process serves the whole product: files as they are (hashed assets cached for a year),
 * and `index.html` for any other page path (`/`, `/board`: the app routes itself).
 * Without a build it logs once and serves nothing.
 */
export async function registerWebapp(
  app: FastifyInstance,
  frontend: Frontend,
  otherPrefixes: string[] = [],
): Promise<void> {
  const { distDir, prefix } = frontend;
  if (!distDir) return;
  const root = path.resolve(distDir);
  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn(
      { distDir: root },
      `${frontend.name} not served: no build found${frontend.build ? ` (run \`${frontend.build}\`)` : ''}`,
    );
    return;
  }

  await app.register(async (scope) => {
    // The build carries `.br`/`.gz` copies (apps/webapp/dev/precompress-plugin.ts): sent as
    // they are to browsers that accept them, the plain file otherwise.
    await scope.register(fastifyStatic, { root, serve: false, preCompressed: true });

    const page = (reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(req.url.split('?')[0]!);
      } catch {
        return reply.callNotFound();
      }
      if (isApiPath(urlPath) || urlPath.includes('\0')) return reply.callNotFound();
      if (otherPrefixes.some((other) => urlPath === other || urlPath.startsWith(`${other}/`)))
        return reply.callNotFound();
      const relative = path.posix.normalize(urlPath.slice(prefix.length - 1)).replace(/^\/+/, '');
      if (relative.startsWith('..')) return reply.callNotFound();
      if (relative === '' || relative === 'index.html') return page(reply);
      if (await isFile(path.join(root, relative))) {
        return relative.startsWith('assets/')
          ? reply.sendFile(relative, { maxAge: '365d', immutable: true })
          : reply.sendFile(relative, { maxAge: 0 });
      }
      // A missing file (a stale asset name) is a 404, not the app's page.
      if (path.posix.extname(relative)) return reply.callNotFound();
      return page(reply);
    };
    // Built files, cached by browsers: no caller's budget is spent on them.
    const built = { config: { rateLimit: false as const } };
    scope.get(prefix, built, handler);
    if (prefix !== '/') scope.get(prefix.replace(/\/$/, ''), built, handler);
    scope.get(`${prefix}*`, built, handler);
  });
}

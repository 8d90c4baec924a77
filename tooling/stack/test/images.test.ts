import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { loadEnv as loadApiEnv } from '@payreq/api/env';
import { loadConfig as loadBotConfig } from '@payreq/bot';
import { createDb, ensurePostgresDatabase } from '@payreq/db';
import { productionSettings } from '@payreq/testing';
import { DockerfileParser } from 'dockerfile-ast';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { repoRoot } from '../src/env';
import { freePorts } from '../src/processes';
import { partEntries } from '../src/stack';

/**
 * What can be checked of the container images on a machine with no Docker engine: that each
 * Dockerfile's entrypoint is the very file the demo runs in CI (`node <package>/dist/….js`),
 * that the compose file's services, commands and settings fit the apps, and — for the api, the
 * 1C emulator and the Telegram test server — that the Dockerfile's own production-install
 * commands, run here, give a folder in which its command starts and its health check passes
 * (the api: after the migration job's command, on PostgreSQL).
 */

const run = promisify(execFile);
const images = [
  { dockerfile: 'apps/api/Dockerfile', dir: 'apps/api', part: 'api' },
  { dockerfile: 'apps/bot/Dockerfile', dir: 'apps/bot', part: 'bot' },
  { dockerfile: 'apps/onec-emulator/Dockerfile', dir: 'apps/onec-emulator', part: 'onec-emulator' },
  {
    dockerfile: 'packages/telegram-testkit/Dockerfile',
    dir: 'packages/telegram-testkit',
    part: 'telegram-test-server',
  },
] as const;

interface Image {
  from: string;
  user: string | undefined;
  env: Record<string, string>;
  command: string[];
  healthcheck: string[];
  /** The runtime stage's VOLUME folders. */
  volumes: string[];
  /** The runtime stage's RUN lines before its USER (as root). */
  rootRuns: string[];
  /** The build stage's RUN lines. */
  runs: string[];
}

function readImage(dockerfile: string): Image {
  const parsed = DockerfileParser.parse(readFileSync(path.join(repoRoot, dockerfile), 'utf8'));
  const instructions = parsed.getInstructions();
  const lastFrom = instructions.findLastIndex((i) => i.getKeyword() === 'FROM');
  const final = instructions.slice(lastFrom);
  const json = (keyword: string) => {
    const found = final.find((i) => i.getKeyword() === keyword);
    return found ? (JSON.parse(found.getArgumentsContent() ?? '[]') as string[]) : [];
  };
  const env: Record<string, string> = {};
  for (const instruction of parsed.getENVs())
    if (final.includes(instruction))
      for (const property of instruction.getProperties())
        env[property.getName()] = property.getValue() ?? '';
  const health = final.find((i) => i.getKeyword() === 'HEALTHCHECK')?.getArgumentsContent() ?? '';
  const userAt = final.findIndex((i) => i.getKeyword() === 'USER');
  const volumes = final
    .filter((i) => i.getKeyword() === 'VOLUME')
    .flatMap((i) => {
      const args = (i.getArgumentsContent() ?? '').trim();
      return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
    });
  return {
    from: final[0]!.getArgumentsContent() ?? '',
    user: final.find((i) => i.getKeyword() === 'USER')?.getArgumentsContent() ?? undefined,
    env,
    command: [...json('ENTRYPOINT'), ...json('CMD')],
    healthcheck: JSON.parse(health.slice(health.indexOf('CMD') + 3)) as string[],
    volumes,
    rootRuns: final
      .slice(0, userAt === -1 ? undefined : userAt)
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => (i.getArgumentsContent() ?? '').replace(/\s+/g, ' ')),
    runs: instructions
      .slice(0, lastFrom)
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => (i.getArgumentsContent() ?? '').replace(/\s+/g, ' ')),
  };
}

const packageName = (dir: string) =>
  (JSON.parse(readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string })
    .name;

describe('the Dockerfiles', () => {
  for (const image of images)
    it(`${image.dockerfile}: Node 20, not root, /healthz, and the build output the demo runs`, () => {
      const parsed = readImage(image.dockerfile);
      expect(parsed.from).toMatch(/^node:20[.\d]*-/);
      expect(parsed.user).toBe('node');
      expect(parsed.healthcheck.join(' ')).toContain('/healthz');
      expect(parsed.command[0]).toBe('node');
      // The same file CI's demo starts with plain node (tooling/stack/src/stack.ts).
      expect(path.posix.join(image.dir, parsed.command[1]!)).toBe(partEntries[image.part].built);
      expect(existsSync(path.join(repoRoot, partEntries[image.part].built))).toBe(true);
      const deploy = parsed.runs.find((line) => line.includes(' deploy '));
      expect(deploy).toContain(`--filter ${packageName(image.dir)} `);
      expect(deploy).toContain('--prod');
    });
});

/** The env file's values put into the compose file's `${X}`, `${X:-default}`, `${X:?error}`. */
function interpolate(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(
    /\$\{(\w+)(?::([-?])((?:[^{}]|\{[^}]*\})*))?\}/g,
    (_all, name: string, op, rest) => {
      if (vars[name] !== undefined && vars[name] !== '') return vars[name]!;
      if (op === '?') throw new Error(`compose needs ${name}: ${rest}`);
      return op === '-' ? String(interpolate(rest, vars)) : '';
    },
  );
}

describe('deploy/compose.yaml', () => {
  const compose = parseYaml(readFileSync(path.join(repoRoot, 'deploy/compose.yaml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
  interface Service {
    image?: string;
    build?: { dockerfile: string };
    command?: string[];
    profiles?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    volumes?: string[];
    ports?: string[];
  }
  const staging = Object.fromEntries(
    readFileSync(path.join(repoRoot, 'deploy/staging.env'), 'utf8')
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  /** Production's env file: staging's names, without the settings only staging sets. */
  const production = Object.fromEntries(
    Object.entries(staging).filter(
      ([key]) => !['PORTAL_LOGIN', 'PORTAL_LOGIN_TEST_SERVER_URL', 'FRAME_ANCESTORS'].includes(key),
    ),
  );
  const envOf = (service: Service, vars: Record<string, string> = staging) =>
    Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([key, value]) => [
        key,
        String(interpolate(value, vars)),
      ]),
    );
  const { services } = compose;

  it('has the database, the file store, the migration job, two apis, the bot and, for staging, the stand-ins', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api-1',
        'api-2',
        'bot',
        'bucket',
        'migrate',
        'minio',
        'onec-emulator',
        'postgres',
        'proxy',
        'telegram-test-server',
      ].sort(),
    );
    expect(services['telegram-test-server']!.profiles).toEqual(['staging']);
    expect(services['onec-emulator']!.profiles).toEqual(['staging']);
    for (const name of ['api-1', 'api-2'])
      expect(services[name]!.depends_on?.migrate).toEqual({
        condition: 'service_completed_successfully',
      });
    expect(existsSync(path.join(repoRoot, 'deploy/nginx.conf'))).toBe(true);
  });

  it('builds every image from its Dockerfile and runs commands that exist in the build output', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const image = images.find((item) => item.dockerfile === service.build!.dockerfile);
      expect(image, name).toBeDefined();
      if (!service.command || image!.part === 'telegram-test-server') continue;
      // An image's other command (the migration job): a file of the same build.
      expect(service.command[0]).toBe('node');
      const file = path.posix.join(image!.dir, service.command[1]!);
      expect(file).toBe(partEntries.migrate.built);
      expect(existsSync(path.join(repoRoot, file))).toBe(true);
    }
    expect(services.migrate!.command).toEqual(['node', 'dist/migrate.js', 'deploy']);
  });

  it("gives the apps settings their env.ts accepts (with staging's values)", () => {
    for (const name of ['api-1', 'api-2']) {
      const env = loadApiEnv(envOf(services[name]!));
      expect(env).toMatchObject({
        NODE_ENV: 'production',
        FILE_STORE: 's3',
        MIGRATE_ON_START: false,
      });
    }
    expect(envOf(services['api-2']!).JOBS_ENABLED).toBe('false');
    const bot = loadBotConfig(envOf(services.bot!));
    expect(bot.mode).toBe('webhook');
    expect(bot.webhook?.url).toBe('http://proxy:8080');
  });

  it('runs the apis behind the proxy: the caller from X-Forwarded-For', () => {
    for (const name of ['api-1', 'api-2'])
      expect(loadApiEnv(envOf(services[name]!, production)).TRUST_PROXY).toBe(true);
  });

  it("signs in to the portal with Telegram's widget in production, on the test server in staging", () => {
    const live = loadApiEnv(envOf(services['api-1']!, production));
    expect(live).toMatchObject({
      PORTAL_LOGIN: 'telegram',
      TELEGRAM_BOT_USERNAME: staging.BOT_USERNAME,
    });
    const stage = loadApiEnv(envOf(services['api-1']!));
    expect(stage.PORTAL_LOGIN).toBe('test-server');
    // The test server as the browser reaches it: its published port, on the Mini App's host.
    const published = (services['telegram-test-server']!.ports ?? [])
      .map((port) => String(interpolate(port, staging)).split(':'))
      .find((parts) => parts.at(-1) === '8081');
    expect(published, 'the test server publishes 8081').toBeDefined();
    const login = new URL(stage.PORTAL_LOGIN_TEST_SERVER_URL);
    expect(login.hostname).toBe(new URL(staging.PUBLIC_URL!).hostname);
    expect(login.port).toBe(published!.at(-2));
  });

  it("keeps the bot's update journal on a named volume the node user owns", () => {
    const image = readImage('apps/bot/Dockerfile');
    const journal = loadBotConfig({ ...image.env, ...envOf(services.bot!) }).journal.dir;
    expect(path.posix.isAbsolute(journal)).toBe(true);
    const mount = (services.bot!.volumes ?? []).find((volume) => volume.endsWith(`:${journal}`));
    expect(mount, `a volume at ${journal}`).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.split(':')[0]);
    // A new named volume takes the owner of the image's folder.
    expect(image.volumes).toContain(journal);
    expect(image.rootRuns.some((line) => line.includes(journal) && line.includes('chown'))).toBe(
      true,
    );
  });

  it('pins the images it does not build, and nginx to one that re-resolves its upstreams', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
      expect(service.image, name).not.toMatch(/:latest$/);
    }
    const nginx = /^nginx:(\d+)\.(\d+)\.(\d+)-/.exec(services.proxy!.image!);
    expect(nginx, services.proxy!.image).not.toBeNull();
    const [major, minor, patch] = nginx!.slice(1).map(Number) as [number, number, number];
    // `resolve` on an upstream's servers: open-source nginx 1.27.3 and later.
    expect(major * 1_000_000 + minor * 1000 + patch).toBeGreaterThanOrEqual(1_027_003);
    const conf = readFileSync(path.join(repoRoot, 'deploy/nginx.conf'), 'utf8');
    expect(conf).toMatch(/^resolver 127\.0\.0\.11\b/m);
    const upstreams = [...conf.matchAll(/^upstream \w+ \{([^}]*)\}/gm)].map((m) => m[1]!);
    expect(upstreams.length).toBeGreaterThan(0);
    for (const upstream of upstreams) {
      expect(upstream).toMatch(/^\s*zone \w+ \w+;/m);
      for (const server of upstream.match(/^\s*server .*$/gm) ?? [])
        expect(server).toMatch(/ resolve\b/);
    }
  });
});

describe('the images, built here as their Dockerfiles build them', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'payreq-images-'));
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  /** The Dockerfile's production install into `out` (offline: the store holds it all). */
  async function install(dockerfile: string, out: string): Promise<Image> {
    const image = readImage(dockerfile);
    const deploy = image.runs.find((line) => line.includes(' deploy '))!;
    await run(
      'sh',
      ['-c', deploy.replaceAll('/out', out).replace(' deploy ', ' deploy --offline ')],
      {
        cwd: repoRoot,
        maxBuffer: 32 * 1024 * 1024,
      },
    );
    return image;
  }

  /** Runs the image's command in `out` with its ENV (paths under /app, /data moved to `out`). */
  function start(image: Image, out: string, env: Record<string, string>, args = image.command) {
    const moved = (value: string) => value.replace(/^\/(app|data)(?=\/|$)/, out);
    const child = spawn(args[0]!, args.slice(1).map(moved), {
      cwd: out,
      env: {
        PATH: process.env.PATH ?? '',
        ...Object.fromEntries(Object.entries(image.env).map(([k, v]) => [k, moved(v)])),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { child, exited, output: () => output };
  }

  /** The image's HEALTHCHECK command, retried as Docker would until it passes. */
  async function healthy(image: Image, env: Record<string, string>, port?: [string, string]) {
    const [cmd, ...args] = image.healthcheck.map((arg) =>
      port ? arg.replace(port[0], port[1]) : arg,
    );
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const ok = await run(cmd!, args, {
        env: { PATH: process.env.PATH ?? '', ...image.env, ...env },
      }).then(
        () => true,
        () => false,
      );
      if (ok) return true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return false;
  }

  it(
    'the api: the migration job, then the api in production on PostgreSQL, healthy',
    { timeout: 240_000 },
    async () => {
      const out = path.join(work, 'api');
      const image = await install('apps/api/Dockerfile', out);
      expect(existsSync(path.join(out, 'webapp/index.html'))).toBe(true);
      // The portal beside it (/portal/: the outbox's dead messages are resent from there).
      expect(image.env.PORTAL_DIST_DIR).toBe('/app/portal');
      expect(existsSync(path.join(out, 'portal/index.html'))).toBe(true);
      expect(existsSync(path.join(out, 'node_modules/prisma'))).toBe(false); // pruned

      const admin = new URL(process.env.TEST_POSTGRES_URL!);
      admin.pathname = `/payreq_image_${process.pid}`;
      const databaseUrl = admin.toString();
      await ensurePostgresDatabase(databaseUrl);
      try {
        const [port] = (await freePorts(1)) as [number];
        const env = {
          DATABASE_URL: databaseUrl,
          PORT: String(port),
          HOST: '127.0.0.1',
          FILE_STORAGE_DIR: path.join(work, 'api-files'),
          // Production refuses development values and services on this machine: services the
          // api never calls at start, and files on disk on purpose (the image test has no S3).
          ...productionSettings,
          FILE_STORE: 'disk',
          ALLOW_LOCAL_STORAGE_IN_PRODUCTION: 'true',
          OUTBOX_WORKER_ENABLED: 'false',
        };
        const migrate = start(image, out, env, ['node', 'dist/migrate.js', 'deploy']);
        expect(await migrate.exited, migrate.output()).toBe(0);
        expect(migrate.output()).toMatch(/applied \d{14}_init/);
        const api = start(image, out, env);
        expect(await healthy(image, env), api.output()).toBe(true);
        expect(api.output()).toContain('migrations checked: up to date');
        const page = await fetch(`http://127.0.0.1:${port}/`);
        expect(page.headers.get('content-type')).toContain('text/html');
        // The portal's own page and script, from the image's copy (PORTAL_DIST_DIR).
        const portal = await fetch(`http://127.0.0.1:${port}/portal/`);
        expect(portal.status).toBe(200);
        const portalPage = await portal.text();
        expect(portalPage).toBe(readFileSync(path.join(out, 'portal/index.html'), 'utf8'));
        const script = /src="(\/portal\/assets\/[^"]+\.js)"/.exec(portalPage)?.[1];
        expect(script, portalPage).toBeDefined();
        expect((await fetch(`http://127.0.0.1:${port}${script!}`)).status).toBe(200);
        api.child.kill('SIGTERM');
        expect(await api.exited, api.output()).toBe(0);
      } finally {
        const server = await createDb({ url: process.env.TEST_POSTGRES_URL });
        await server.prisma.$executeRawUnsafe(
          `DROP DATABASE IF EXISTS "payreq_image_${process.pid}" WITH (FORCE)`,
        );
        await server.close();
      }
    },
  );

  it('the 1C emulator and the Telegram test server: healthy', { timeout: 240_000 }, async () => {
    const [onecPort, telegramPort] = (await freePorts(2)) as [number, number];
    const onecOut = path.join(work, 'onec');
    const onec = await install('apps/onec-emulator/Dockerfile', onecOut);
    const onecEnv = { ONEC_EMULATOR_PORT: String(onecPort), ONEC_EMULATOR_HOST: '127.0.0.1' };
    const emulator = start(onec, onecOut, onecEnv);
    expect(await healthy(onec, onecEnv), emulator.output()).toBe(true);

    const telegramOut = path.join(work, 'telegram');
    const telegram = await install('packages/telegram-testkit/Dockerfile', telegramOut);
    const server = start(
      telegram,
      telegramOut,
      {},
      telegram.command.map((arg) =>
        arg === '8081' ? String(telegramPort) : arg === '0.0.0.0' ? '127.0.0.1' : arg,
      ),
    );
    expect(await healthy(telegram, {}, ['8081', String(telegramPort)]), server.output()).toBe(true);
    for (const child of [emulator.child, server.child]) child.kill('SIGTERM');
    expect(await emulator.exited).toBe(0);
    expect(await server.exited).toBe(0);
    expect(existsSync(path.join(telegramOut, 'world.bin'))).toBe(true);
  });
});

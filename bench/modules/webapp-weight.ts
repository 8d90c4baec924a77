/**
 * 5. The Mini App's weight: the built JS and CSS of apps/webapp (its own `vite build`, run
 * when `dist/` is missing), raw, gzip and brotli (node:zlib, best levels); what the api
 * actually sends for them; and the time to the first rendered form in headless Chromium
 * (Debian's, never a downloaded browser) with a cold cache: a client opens the deal room's
 * Mini App as Telegram launches it (signed init data, theme, the native bridge), served by
 * the real api on PostgreSQL, each load in a new browser context.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

// Relative import into the api's test fixtures (a complete payment request form).
import { completeForm, phoneContextOptions } from '@payreq/testing';
import { firstScreenFiles, isBuiltAfter } from '@payreq/testing/builds';
import { benchDir, startChild } from '../lib/child.ts';
import { track } from '../lib/cleanup.ts';
import { config } from '../lib/config.ts';
import { fmt } from '../lib/report.ts';
import type { BenchContext, BenchModule, Row } from '../lib/report.ts';
import { firstElementScript, miniAppLaunchUrl } from '../lib/telegram-webview.ts';
import { mutate } from '../lib/trpc.ts';
// Relative import into the workspace's TypeScript source (run by tsx), see README.md.
import {
  CHROMIUM_FLAGS,
  DEFAULT_THEME_PARAMS,
  addTelegramBridge,
} from '../../packages/telegram-testkit/src/index.ts';
import { inFreshWorld, openDealRooms } from '../lib/world.ts';

const repoRoot = path.resolve(benchDir, '..');
const webappDir = path.join(repoRoot, 'apps', 'webapp');
/**
 * The issue's target for the JavaScript the first screen loads (the entry and what it imports
 * statically; lazy chunks such as the board come later), gzipped (kB = 1000 bytes, as Vite prints).
 */
const TARGET_GZIP_JS_KB = 100;
/** The first field of the request form: the form is on screen when it is. */
const FORM_SELECTOR = '[data-testid="field-payerName"]';

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/**
 * The build to measure: `apps/webapp/dist`, built with the app's own build script when it is
 * missing. When it is older than the sources, the same script builds into the run's temp
 * folder instead (other work on the machine may be serving `dist/`).
 */
function webappBuild(ctx: BenchContext): { dir: string; note: string } {
  const dist = path.join(webappDir, 'dist');
  const build = (extra: string[]) =>
    execFileSync('pnpm', ['--filter', '@payreq/webapp', 'run', 'build', ...extra], {
      cwd: repoRoot,
      // The build's output goes to stderr: the table alone is on stdout.
      stdio: ['ignore', 2, 2],
      env: { ...process.env, NODE_ENV: 'production' },
    });
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) {
    ctx.log('apps/webapp/dist is missing: building it (pnpm --filter @payreq/webapp build)');
    build([]);
    return { dir: dist, note: 'apps/webapp/dist, built by this run' };
  }
  const sources = ['src', 'index.html', 'vite.config.ts'].map((name) => path.join(webappDir, name));
  if (isBuiltAfter(index, sources)) return { dir: dist, note: 'apps/webapp/dist' };
  const fresh = path.join(ctx.tmpDir, 'webapp-dist');
  mkdirSync(fresh, { recursive: true });
  ctx.log('apps/webapp/dist is older than the sources: building a fresh copy in the temp folder');
  build(['--outDir', fresh, '--emptyOutDir']);
  return { dir: fresh, note: 'a fresh build of apps/webapp (dist/ was stale)' };
}

/**
 * The stack's floor: `apps/webapp/stack-floor`, a page with React, react-query and tRPC's React
 * client asking the api one question and nothing of the Mini App, built by the same Vite with the
 * same settings into the run's temp folder. Its JS is what no Mini App on this stack goes below.
 */
function stackFloorBuild(ctx: BenchContext): string {
  const out = path.join(ctx.tmpDir, 'stack-floor-dist');
  execFileSync(
    path.join(webappDir, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'stack-floor/vite.config.ts', '--outDir', out, '--emptyOutDir'],
    {
      cwd: webappDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return out;
}

interface Asset {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
}

function measure(file: string): Asset {
  const bytes = readFileSync(file);
  return {
    file: path.basename(file),
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length,
  };
}

const sum = (assets: Asset[], key: 'raw' | 'gzip' | 'brotli') =>
  assets.reduce((total, asset) => total + asset[key], 0);

interface Load {
  htmlEnd: number;
  assetsEnd: number;
  sessionEnd: number;
  formInDom: number;
  formPainted: number;
  fcp: number;
  /** Bytes of the JS and CSS responses as sent (encodedBodySize: after any Content-Encoding). */
  jsSent: number;
  cssSent: number;
  contentEncoding: string;
}

/** The style sheets a build's index.html links (file names under assets/). */
function stylesheetsOf(dir: string): string[] {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  return [...html.matchAll(/<link[^>]+href="\/?assets\/([^"]+\.css)"/g)].map((m) => m[1]!);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * One cold load (new context: empty HTTP and code caches) with the given CPU slowdown.
 * `firstScreen` names the build's files the first screen needs: what the Mini App asks for
 * later (the form's checks, the conflict view) counts in neither the bytes nor the timing.
 */
async function coldLoad(
  browser: Browser,
  url: string,
  slowdown: number,
  firstScreen: ReadonlySet<string>,
): Promise<Load> {
  const context = await browser.newContext(phoneContextOptions);
  try {
    await addTelegramBridge(context, DEFAULT_THEME_PARAMS);
    await context.addInitScript({ content: firstElementScript(FORM_SELECTOR) });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    if (slowdown > 1) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    }
    const encodings: string[] = [];
    page.on('response', (response) => {
      if (/\.(js|css)$/.test(new URL(response.url()).pathname))
        encodings.push(response.headers()['content-encoding'] ?? 'none');
    });
    await page.goto(url, { waitUntil: 'commit' });
    // A function, not a string: the api's content security policy (no 'unsafe-eval') refuses
    // the eval Playwright runs a string predicate with.
    await page.waitForFunction(
      () => {
        const marks = (globalThis as { __bench?: { painted: number | null } }).__bench;
        return marks !== undefined && marks.painted !== null;
      },
      null,
      { timeout: 60_000 },
    );
    if (failures.length > 0) throw new Error(`the Mini App failed: ${failures[0]}`);
    const marks = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource').map((r) => ({
        name: r.name, end: r.responseEnd, encoded: r.encodedBodySize,
      }));
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        htmlEnd: nav.responseEnd, resources, fcp: fcp ? fcp.startTime : NaN,
        inDom: window.__bench.inDom, painted: window.__bench.painted,
      };
    })()`)) as {
      htmlEnd: number;
      resources: { name: string; end: number; encoded: number }[];
      fcp: number;
      inDom: number;
      painted: number;
    };
    const ofType = (pattern: RegExp) =>
      marks.resources.filter((r) => {
        const { pathname } = new URL(r.name);
        return pattern.test(pathname) && firstScreen.has(path.basename(pathname));
      });
    const assets = ofType(/\.(js|css)$/);
    const session = marks.resources.filter((r) => r.name.includes('miniApp.session'));
    return {
      htmlEnd: marks.htmlEnd,
      assetsEnd: Math.max(...assets.map((r) => r.end)),
      sessionEnd: session.length ? Math.min(...session.map((r) => r.end)) : NaN,
      formInDom: marks.inDom,
      formPainted: marks.painted,
      fcp: marks.fcp,
      jsSent: ofType(/\.js$/).reduce((total, r) => total + r.encoded, 0),
      cssSent: ofType(/\.css$/).reduce((total, r) => total + r.encoded, 0),
      contentEncoding: [...new Set(encodings)].join(', ') || 'none',
    };
  } finally {
    await context.close();
  }
}

export const webappWeight: BenchModule = {
  name: 'webapp-weight',
  title: 'Mini App weight: built JS/CSS sizes, first form in Chromium (cold cache)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const build = webappBuild(ctx);
    const assetsDir = path.join(build.dir, 'assets');
    const files = readdirSync(assetsDir).map((name) => path.join(assetsDir, name));
    const js = files.filter((file) => file.endsWith('.js')).map(measure);
    const css = files.filter((file) => file.endsWith('.css')).map(measure);
    ctx.log(
      `Mini App build (${build.note}): ${[...js, ...css].map((a) => `${a.file} ${kb(a.raw)}`).join(', ')}`,
    );

    const sizeBench = `Mini App build (${js.length} JS file${js.length === 1 ? '' : 's'}, ${css.length} CSS)`;
    const gzipJs = sum(js, 'gzip');
    const first = firstScreenFiles(build.dir);
    // What a cold load of the first screen waits for: its JS, and the style sheets index.html links.
    const firstScreen = new Set([...first, ...stylesheetsOf(build.dir)]);
    const firstJs = js.filter((asset) => first.has(asset.file));
    const gzipFirst = sum(firstJs, 'gzip');
    const floorDir = stackFloorBuild(ctx);
    const floorFirst = firstScreenFiles(floorDir);
    const floorJs = readdirSync(path.join(floorDir, 'assets'))
      .filter((file) => floorFirst.has(file))
      .map((file) => measure(path.join(floorDir, 'assets', file)));
    const gzipFloor = sum(floorJs, 'gzip');
    const floorMeets = gzipFloor < TARGET_GZIP_JS_KB * 1000;
    const rows: Row[] = [
      {
        benchmark: sizeBench,
        figure: 'JS raw',
        value: kb(sum(js, 'raw')),
        floor: '',
        ratio: '',
        target: '—',
      },
      {
        benchmark: sizeBench,
        figure: 'JS gzip (level 9), all files',
        value: kb(gzipJs),
        floor: '',
        ratio: '',
        target: '—',
      },
      {
        benchmark: sizeBench,
        figure: `JS gzip of the first screen (${firstJs.length} file${firstJs.length === 1 ? '' : 's'}: the entry and its static imports)`,
        value: kb(gzipFirst),
        floor: kb(gzipFloor),
        ratio: fmt.ratio(gzipFirst / gzipFloor),
        target: floorMeets
          ? `< ${TARGET_GZIP_JS_KB} kB (the stack alone ${kb(gzipFloor)}: ${kb(TARGET_GZIP_JS_KB * 1000 - gzipFloor)} left for the app)`
          : `< ${TARGET_GZIP_JS_KB} kB (out of reach: the stack alone ${kb(gzipFloor)})`,
        met: gzipFirst < TARGET_GZIP_JS_KB * 1000,
      },
      {
        benchmark: sizeBench,
        figure: "the first screen's JS gzip above the stack's floor: the Mini App's own",
        value: kb(gzipFirst - gzipFloor),
        floor: '',
        ratio: '',
        target: '—',
      },
      {
        benchmark: sizeBench,
        figure: "the stack's floor: JS gzip (React, react-query, tRPC's client; none of the app)",
        value: kb(gzipFloor),
        floor: '',
        ratio: '',
        target: '—',
      },
      {
        benchmark: sizeBench,
        figure: 'JS brotli (quality 11)',
        value: kb(sum(js, 'brotli')),
        floor: '',
        ratio: '',
        target: '—',
      },
      {
        benchmark: sizeBench,
        figure: 'CSS raw',
        value: kb(sum(css, 'raw')),
        floor: '',
        ratio: '',
        target: '—',
      },
      {
        benchmark: sizeBench,
        figure: 'CSS gzip (level 9)',
        value: kb(sum(css, 'gzip')),
        floor: '',
        ratio: '',
        target: '—',
      },
      {
        benchmark: sizeBench,
        figure: 'CSS brotli (quality 11)',
        value: kb(sum(css, 'brotli')),
        floor: '',
        ratio: '',
        target: '—',
      },
    ];

    // The time to the first form: the real api serving this build, a deal room with a request.
    return inFreshWorld(async ({ url: databaseUrl, agent, servers }) => {
      const api = await startChild('api', 'api-server.ts', {
        BENCH_DATABASE_URL: databaseUrl,
        BENCH_API_LOG_LEVEL: config.apiLogLevel,
        BENCH_WEBAPP_DIST_DIR: build.dir,
      });
      const [room] = await openDealRooms(api.url, agent, 1, -1002400000001, 5400000001);
      await mutate(api.url, 'miniApp.save', room!.clientAuthorization, { fields: completeForm });
      const url = miniAppLaunchUrl(api.url, room!.client, room!.launchToken);

      if (!existsSync(config.chromiumPath))
        throw new Error(
          `Chromium not found at ${config.chromiumPath}: install Debian's package (apt-get install chromium); the bench never downloads a browser`,
        );
      const browser = await chromium.launch({
        executablePath: config.chromiumPath,
        args: [...CHROMIUM_FLAGS],
      });
      // Closed once the loads are done, or with the api if they fail (the first stop holds).
      const closeBrowser = track('Chromium', () => browser.close());
      servers.push({ stop: closeBrowser });

      const slowdowns = [1, ...(config.webappCpuSlowdown > 1 ? [config.webappCpuSlowdown] : [])];
      const results = new Map<number, Load[]>();
      await coldLoad(browser, url, 1, firstScreen); // the api's and the browser's first time: not counted
      for (const slowdown of slowdowns) {
        ctx.log(
          `Mini App: ${config.webappLoads} cold loads in Chromium${slowdown > 1 ? `, CPU ${slowdown}× slower` : ''}`,
        );
        const loads: Load[] = [];
        for (let index = 0; index < config.webappLoads; index += 1)
          loads.push(await coldLoad(browser, url, slowdown, firstScreen));
        results.set(slowdown, loads);
      }
      await closeBrowser();

      const plain = results.get(1)!;
      const sent = plain[0]!;
      rows.push({
        benchmark: sizeBench,
        figure: `JS bytes the api sends for the first screen (Content-Encoding: ${sent.contentEncoding}) (floor: its JS gzip)`,
        value: kb(sent.jsSent),
        floor: kb(gzipFirst),
        ratio: fmt.ratio(sent.jsSent / gzipFirst),
        target: '—',
      });
      for (const slowdown of slowdowns) {
        const loads = results.get(slowdown)!;
        const benchmark = `Mini App first load, cold cache (median of ${loads.length}${slowdown > 1 ? `, CPU ${slowdown}× slower` : ''})`;
        const at = (key: keyof Load) => median(loads.map((load) => load[key] as number));
        const ms = (value: number) => fmt.num(value);
        const plainPainted = median(plain.map((load) => load.formPainted));
        rows.push(
          {
            benchmark,
            figure:
              slowdown > 1
                ? 'navigation → form painted, ms (floor: no CPU slowdown)'
                : 'navigation → form painted, ms',
            value: ms(at('formPainted')),
            floor: slowdown > 1 ? ms(plainPainted) : '',
            ratio: slowdown > 1 ? fmt.ratio(at('formPainted') / plainPainted) : '',
            target: '—',
          },
          ...(
            [
              ['HTML received', 'htmlEnd'],
              ["the first screen's JS and CSS received", 'assetsEnd'],
              ['first contentful paint', 'fcp'],
              ['miniApp.session answered', 'sessionEnd'],
              ['form in the DOM', 'formInDom'],
            ] as const
          ).map(([figure, key]) => ({
            benchmark,
            figure: `… ${figure}, ms`,
            value: ms(at(key)),
            floor: '',
            ratio: '',
            target: '—',
          })),
          {
            benchmark,
            figure: 'range of navigation → form painted, ms',
            value: `${ms(Math.min(...loads.map((l) => l.formPainted)))}–${ms(Math.max(...loads.map((l) => l.formPainted)))}`,
            floor: '',
            ratio: '',
            target: '—',
          },
        );
      }
      return rows;
    });
  },
};

/**
 * A tiny static server for the built page (`dist/`), on 127.0.0.1 only. It sends the
 * cross-origin-isolation headers (COOP/COEP), so the page gets SharedArrayBuffer: the @mddm/edgeconv
 * WebAssembly kernel (shared memory) and TensorFlow.js's threaded wasm build then run as in Node.
 * `/models/` can be mapped to another folder (tests serve a small untrained checkpoint from a temp dir).
 *
 *   tsx scripts/serve.ts [--port N] [--models DIR]     (default port: $PORT or 5173)
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_INDEX, modelsIndex } from './models';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** Folder to serve (default: this package's `dist/`). */
  root?: string;
  /** Folder served under `/models/` (default: `<root>/models`). */
  models?: string;
  /** Port (default `$PORT` or 5173; 0 picks a free one). */
  port?: number;
}

/** A running server: its URL and how to stop it. */
export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Resolves `rel` under `base`, or null if it escapes it. */
function inside(base: string, rel: string): string | null {
  const p = resolve(base, `.${sep}${normalize(rel)}`);
  return p === base || p.startsWith(base + sep) ? p : null;
}

/** Starts the server on 127.0.0.1. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const root = resolve(options.root ?? fileURLToPath(new URL('../dist', import.meta.url)));
  const models = options.models ? resolve(options.models) : null;
  const port = options.port ?? Number(process.env.PORT ?? 5173);
  await stat(join(root, 'index.html')).catch(() => {
    throw new Error(`no built page at ${root} (run \`pnpm --filter @mddm/web build\` first)`);
  });
  const server = createServer(async (req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-cache');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (path.endsWith('/')) path += 'index.html';
    if (models && path === `/models/${MODELS_INDEX}`) {
      res.writeHead(200, { 'Content-Type': TYPES['.json']! }).end(JSON.stringify(await modelsIndex(models)));
      return;
    }
    const file = models && path.startsWith('/models/') ? inside(models, path.slice('/models/'.length)) : inside(root, path);
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info?.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // a single byte range, as static servers answer it: the worker reads one MD frame of a data set this way
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (range && Number(range[1]) <= Number(range[2]) && Number(range[2]) < info.size) {
      const [start, end] = [Number(range[1]), Number(range[2])];
      res.writeHead(206, { 'Content-Type': type, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${info.size}`, 'Accept-Ranges': 'bytes' });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': info.size, 'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, server, close: () => new Promise((ok) => server.close(() => ok())) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  startServer({ port: opt('--port') ? Number(opt('--port')) : undefined, models: opt('--models') })
    .then(({ url }) => {
      const port = new URL(url).port;
      console.log(`mddm web page: http://localhost:${port}/  (listening on 127.0.0.1:${port}; Ctrl-C to stop)`);
    })
    .catch((e: NodeJS.ErrnoException) => {
      console.error(e.code === 'EADDRINUSE' ? `port in use: set PORT or pass --port` : `serve: ${e.message}`);
      process.exit(1);
    });
}

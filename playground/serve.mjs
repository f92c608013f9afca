// `npm run playground`: serves the built playground (playground/dist/, or PLAYGROUND_OUT)
// on 127.0.0.1 and prints its address. PORT picks the port (default 8080, or any free
// one if taken). Text, scripts and the engine go out compressed (brotli or gzip, as
// the browser accepts), each file compressed once and kept until it changes.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants } from "node:zlib";

const root = resolve(process.env.PLAYGROUND_OUT ?? fileURLToPath(new URL("./dist/", import.meta.url)));
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8", ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
  ".png": "image/png", ".ico": "image/x-icon",
};
/** Worth compressing: everything but images that are compressed already. */
const COMPRESS = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".wasm", ".svg", ".txt"]);
/** Below this many bytes the headers outweigh the saving. */
const MIN_COMPRESS = 1024;

const encoders = {
  br: (b) => promisify(brotliCompress)(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
  gzip: (b) => promisify(gzip)(b, { level: 9 }),
};
/** Compressed bodies by encoding and file, with the modification time they were made from. */
const cache = new Map();

/** The encoding to send: brotli when accepted, else gzip, else none ("identity"). */
function pickEncoding(accept = "") {
  const accepted = new Map();
  for (const part of accept.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)).find(Boolean);
    if (name) accepted.set(name, q ? Number(q[1]) : 1);
  }
  const ok = (e) => (accepted.get(e) ?? accepted.get("*") ?? 0) > 0;
  return ok("br") ? "br" : ok("gzip") ? "gzip" : "identity";
}

async function body(file, ext, encoding, mtimeMs) {
  const raw = await readFile(file);
  if (encoding === "identity" || !COMPRESS.has(ext) || raw.length < MIN_COMPRESS) return { data: raw, encoding: "identity" };
  const key = `${encoding} ${file}`;
  const hit = cache.get(key);
  if (hit && hit.mtimeMs === mtimeMs) return { data: hit.data, encoding };
  const data = await encoders[encoding](raw);
  cache.set(key, { mtimeMs, data });
  return { data, encoding };
}

const server = createServer(async (req, res) => {
  let path;
  try {
    path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
  } catch {
    res.writeHead(400, { "content-type": "text/plain" }).end("bad request");
    return;
  }
  const file = join(root, path.endsWith("/") || path.endsWith(sep) ? join(path, "index.html") : path);
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error("not a file");
    const ext = extname(file);
    const { data, encoding } = await body(file, ext, pickEncoding(req.headers["accept-encoding"]), info.mtimeMs);
    const headers = { "content-type": TYPES[ext] ?? "application/octet-stream", "content-length": data.length, "cache-control": "no-cache" };
    if (COMPRESS.has(ext)) headers.vary = "Accept-Encoding"; // the body depends on the request's Accept-Encoding
    if (encoding !== "identity") headers["content-encoding"] = encoding;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : data);
  } catch {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
});

function listen(port) {
  server.once("error", (e) => {
    if (e.code === "EADDRINUSE" && port !== 0) listen(0);
    else throw e;
  });
  server.listen(port, "127.0.0.1", () => {
    console.log(`lockstep playground: http://127.0.0.1:${server.address().port}/  (Ctrl+C to stop)`);
  });
}

listen(process.env.PORT === undefined ? 8080 : Number(process.env.PORT));

// Bundles the page into clients/web/dist/: app.js (+ source map) from src/main.ts, plus
// index.html and styles.css as they are. Run through `npm run web:build`, which generates
// the TypeScript code from the contracts and type-checks (tsc --noEmit) first; esbuild only
// strips types, it does not check them.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const result = await build({
  entryPoints: [join(here, "src", "main.ts")],
  outfile: join(dist, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  // Every browser with fetch streams and BigInt (both needed by connect-web and protobuf-es).
  target: ["es2022"],
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});
await Promise.all(["index.html", "styles.css"].map((f) => copyFile(join(here, f), join(dist, f))));
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes;
console.log(`web:build: ${dist} (app.js ${bytes} bytes)`);

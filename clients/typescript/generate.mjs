// Generates clients/typescript/src/gen/ from the contracts with `buf generate` and the local
// protoc-gen-es (see buf.gen.yaml beside this file). Offline: no remote plugin, no BSR.
//
// Usage (from anywhere): node clients/typescript/generate.mjs    (npm run ts:generate)
//
// The contracts import google/api, google/rpc and buf/validate protos kept in proto/third_party
// (the root buf.yaml names that directory as a module), so this works on a fresh clone.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const buf = join(root, "node_modules", ".bin", "buf");
const result = spawnSync(buf, ["generate", "--template", "clients/typescript/buf.gen.yaml"], {
  cwd: root,
  stdio: "inherit",
});
if (result.error) {
  console.error(`ts:generate: cannot run ${buf}: ${result.error.message} (run npm ci first)`);
  process.exit(1);
}
process.exit(result.status ?? 1);

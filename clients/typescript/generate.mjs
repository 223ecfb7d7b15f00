// Generates clients/typescript/src/gen/ from the contracts with `buf generate` and the local
// protoc-gen-es (see buf.gen.yaml beside this file). Offline: no remote plugin, no BSR.
//
// Usage (from anywhere): node clients/typescript/generate.mjs    (npm run ts:generate)
//
// The contracts import google/api, google/rpc and buf/validate protos that the proto module's
// Maven build unpacks into proto/target/third-party-protos (the root buf.yaml names that
// directory as a module). When it is missing this script says how to produce it rather than
// letting buf fail on an unresolved import.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const thirdParty = join(root, "proto", "target", "third-party-protos");
const required = ["google/api/annotations.proto", "google/rpc/error_details.proto", "buf/validate/validate.proto"];
const missing = required.filter((p) => !existsSync(join(thirdParty, p)));
if (missing.length > 0) {
  console.error(
    `ts:generate: ${missing.join(", ")} not found under proto/target/third-party-protos; ` +
      "run `./mvnw -o -q -pl proto generate-resources` (or ./mesh build) first",
  );
  process.exit(1);
}

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

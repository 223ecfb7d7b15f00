// Generates the client code of every language from the contracts in proto/, with `buf generate`
// and one template per language (clients/<language>/buf.gen.yaml). Offline: local plugins only
// (protoc-gen-es from npm; protoc-gen-go, protoc-gen-go-grpc, protoc and grpc_python_plugin from
// Debian's packages), no remote plugin, no BSR.
//
//   node clients/generate.mjs                      every language, written into clients/
//   node clients/generate.mjs go python            only these
//   node clients/generate.mjs --check [languages]  regenerate into a scratch folder and compare
//                                                  with the committed code; exit 1 when stale
//   --committed DIR                                (with --check) look for the committed code
//                                                  under DIR instead of the repository root
//
// Go and Python code is committed (teams consume it as source); TypeScript code is not (npm's
// build regenerates it, so it cannot go stale). The check compares file lists and contents; only
// the lines that name the generators' versions are left out, so that a machine with another
// patch release of a Debian plugin does not report every file.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Every language: its template, where its code goes, whether it is committed, what it needs. */
const LANGUAGES = {
  typescript: {
    template: "clients/typescript/buf.gen.yaml",
    out: "clients/typescript/src/gen",
    committed: false,
    tools: [],
  },
  go: {
    template: "clients/go/buf.gen.yaml",
    out: "clients/go/gen",
    committed: true,
    tools: [
      ["/usr/bin/protoc-gen-go", "protoc-gen-go"],
      ["/usr/bin/protoc-gen-go-grpc", "protoc-gen-go-grpc"],
    ],
  },
  python: {
    template: "clients/python/buf.gen.yaml",
    out: "clients/python/gen",
    committed: true,
    tools: [
      ["/usr/bin/protoc", "protobuf-compiler"],
      ["/usr/bin/grpc_python_plugin", "protobuf-compiler-grpc"],
    ],
  },
};

/** Lines naming generator versions: "// \tprotoc-gen-go v1.28.1", "# Protobuf Python Version: …". */
const VERSION_LINE = /^(\/\/ \t?-? ?protoc(-gen-[a-z-]+)?\s+(v?\d|\(unknown\))|# Protobuf Python Version:)/;

function parseArgs(argv) {
  const options = { check: false, committed: root, languages: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check") options.check = true;
    else if (arg === "--committed") options.committed = resolve(argv[++i] ?? fail("--committed needs a folder"));
    else if (arg in LANGUAGES) options.languages.push(arg);
    else fail(`unknown argument '${arg}' (languages: ${Object.keys(LANGUAGES).join(", ")}; --check; --committed DIR)`);
  }
  if (options.languages.length === 0) {
    options.languages = Object.keys(LANGUAGES).filter((l) => !options.check || LANGUAGES[l].committed);
  }
  return options;
}

function fail(message) {
  console.error(`generate: ${message}`);
  process.exit(2);
}

function requireTools(languages) {
  const missing = [];
  for (const language of languages) {
    for (const [path, pkg] of LANGUAGES[language].tools) {
      try {
        accessSync(path, constants.X_OK);
      } catch {
        missing.push(pkg);
      }
    }
  }
  if (missing.length > 0) {
    fail(`missing ${[...new Set(missing)].join(" ")}: install Debian's packages (apt-get install ${[...new Set(missing)].join(" ")})`);
  }
  const buf = join(root, "node_modules", ".bin", "buf");
  if (!existsSync(buf)) fail(`cannot find ${buf} (run npm ci first)`);
  return buf;
}

function generate(buf, language, outputRoot) {
  const args = ["generate", "--template", LANGUAGES[language].template];
  if (outputRoot) args.push("-o", outputRoot);
  const result = spawnSync(buf, args, { cwd: root, stdio: "inherit" });
  if (result.error) fail(`cannot run ${buf}: ${result.error.message}`);
  if (result.status !== 0) fail(`buf generate failed for ${language} (exit ${result.status})`);
}

function files(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...files(path));
    else found.push(path);
  }
  return found;
}

function normalised(path) {
  return readFileSync(path, "utf8").split("\n").filter((line) => !VERSION_LINE.test(line)).join("\n");
}

/** The differences between the fresh code and the committed code, as "stale: …" lines. */
function compare(freshDir, committedDir) {
  const fresh = new Map(files(freshDir).map((f) => [relative(freshDir, f), f]));
  const committed = new Map(files(committedDir).map((f) => [relative(committedDir, f), f]));
  const problems = [];
  for (const [name, path] of fresh) {
    if (!committed.has(name)) problems.push(`missing ${name}`);
    else if (normalised(path) !== normalised(committed.get(name))) problems.push(`differs ${name}`);
  }
  for (const name of committed.keys()) {
    if (!fresh.has(name)) problems.push(`no longer generated ${name}`);
  }
  return problems;
}

const options = parseArgs(process.argv.slice(2));
const buf = requireTools(options.languages);
if (!options.check) {
  for (const language of options.languages) generate(buf, language);
  process.exit(0);
}
const scratch = mkdtempSync(join(tmpdir(), "lattice-generate-"));
let stale = 0;
try {
  for (const language of options.languages) {
    const { out, committed } = LANGUAGES[language];
    if (!committed) fail(`${language} code is not committed: there is nothing to check`);
    generate(buf, language, scratch);
    const problems = compare(join(scratch, out), join(options.committed, out));
    for (const problem of problems) console.log(`stale ${language}: ${problem}`);
    stale += problems.length;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (stale > 0) {
  console.log(`generate: the committed client code is stale (${stale} files); run 'node clients/generate.mjs' and commit the result`);
  process.exit(1);
}
console.log(`generate: the committed ${options.languages.join(" and ")} code matches the contracts`);

import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { ConfigError, formatIssues } from './errors.ts';
import { configSchema, type EvalwatchConfig } from './schema.ts';

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  readonly config: EvalwatchConfig;
  /** The file read, or `null` for the embedded default. */
  readonly path: string | null;
  /** Folder that relative paths in the config resolve against. */
  readonly dir: string;
}

export interface LoadConfigOptions {
  /** `--config PATH` (.ts, .mts, .js, .mjs or .json). Default: `worker.config.ts` in `cwd` if present. */
  readonly path?: string;
  /** Default `process.cwd()`. */
  readonly cwd?: string;
}

const PACKAGE_ENTRY = fileURLToPath(new URL('../index.ts', import.meta.url));
const DEFAULT_NAMES = ['worker.config.ts', 'worker.config.mts', 'worker.config.js', 'worker.config.mjs'];

/**
 * Loads, validates and normalizes the worker configuration. Without a config file the embedded
 * default is used: captures from `./captures`, results in `./.evalwatch/results`, console alerts.
 * Relative folder paths are resolved against the config file's folder.
 *
 * @throws {ConfigError} naming the file and every offending key path.
 * @example
 * const { config, path } = await loadConfig({ path: 'worker.config.ts' });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.path ? path.resolve(cwd, options.path) : await findDefault(cwd);
  if (file === null) return { config: resolvePaths(parseConfig({}, '(embedded default)'), cwd), path: null, dir: cwd };
  const raw = await importConfig(file);
  const dir = path.dirname(file);
  return { config: resolvePaths(parseConfig(raw, file), dir), path: file, dir };
}

/**
 * Validates a raw config object; `source` names it in error messages.
 *
 * @example
 * parseConfig({ drift: { alpha: 0.05 } }, 'inline');
 */
export function parseConfig(raw: unknown, source: string): EvalwatchConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = formatIssues(result.error.issues, raw);
  throw new ConfigError(`${source}: invalid configuration\n  ${problems.join('\n  ')}`, problems);
}

async function findDefault(cwd: string): Promise<string | null> {
  for (const name of DEFAULT_NAMES) {
    const candidate = path.join(cwd, name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not there: try the next name
    }
  }
  return null;
}

async function importConfig(file: string): Promise<unknown> {
  const ext = path.extname(file);
  try {
    await access(file);
  } catch {
    throw new ConfigError(`${file}: config file not found`);
  }
  try {
    if (ext === '.json') return JSON.parse(await readFile(file, 'utf8'));
    if (!['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].includes(ext)) {
      throw new ConfigError(`${file}: unsupported config file type "${ext}" (use .ts, .js or .json)`);
    }
    // `import { defineConfig } from 'evalwatch'` resolves to the running evalwatch, wherever the
    // config file lives, so the schema that validates it is the one that wrote its types.
    const jiti = createJiti(pathToFileURL(file).href, {
      moduleCache: false,
      fsCache: false,
      alias: { evalwatch: PACKAGE_ENTRY },
    });
    const mod = await jiti.import<Record<string, unknown>>(file);
    const config = mod && typeof mod === 'object' && 'default' in mod ? mod.default : undefined;
    if (config === undefined || config === null) {
      throw new ConfigError(`${file}: no default export (write "export default defineConfig({...})")`);
    }
    return config;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${file}: could not be loaded: ${(err as Error).message}`);
  }
}

function resolvePaths(config: EvalwatchConfig, dir: string): EvalwatchConfig {
  const source = config.captures.source;
  const store = config.store;
  return {
    ...config,
    captures: {
      ...config.captures,
      source: source.kind === 'fs' ? { ...source, path: path.resolve(dir, source.path) } : source,
    },
    store: store.kind === 'fs' ? { ...store, path: path.resolve(dir, store.path) } : store,
    judge: { ...config.judge, rubricsDir: path.resolve(dir, config.judge.rubricsDir) },
    alerts: { ...config.alerts, sink: { ...config.alerts.sink, path: path.resolve(dir, config.alerts.sink.path) } },
    golden: { ...config.golden, suitesDir: path.resolve(dir, config.golden.suitesDir) },
  };
}

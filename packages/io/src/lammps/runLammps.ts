import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROTOCOL, lammpsInputScript, type AnnealProtocol } from './protocol';
import { lammpsPairTable } from './table';

/** One conformation to simulate: OPP parameters, target temperature and velocity seed. */
export interface OppRunParameters {
  readonly k: number;
  readonly phi: number;
  readonly T: number;
  readonly seed: number;
}

/** Result of one LAMMPS run: wrapped positions `[N, 3]` in `[0, L)`, box lengths and timing. */
export interface LammpsRunResult {
  readonly positions: Float64Array;
  readonly box: [number, number, number];
  readonly seconds: number;
}

/** Options of {@link runOppLammps}. */
export interface RunLammpsOptions {
  /** LAMMPS executable, default `lmp` (Debian package `lammps`). */
  readonly lmp?: string;
  /** Annealing protocol, default {@link DEFAULT_PROTOCOL}. */
  readonly protocol?: AnnealProtocol;
  /** Keep the work directory (input, table, log, dump) instead of deleting it. */
  readonly keepWorkDir?: boolean;
  /** Abort signal: kills LAMMPS. */
  readonly signal?: AbortSignal;
}

/** Raised when LAMMPS is missing, fails, or writes output that does not parse. */
export class LammpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LammpsError';
  }
}

/**
 * Runs one OPP self-assembly with LAMMPS (one core: `OMP_NUM_THREADS=1`) and returns the final
 * wrapped positions. About 35 s per 1000-particle conformation with the default protocol here.
 */
export async function runOppLammps(run: OppRunParameters, options: RunLammpsOptions = {}): Promise<LammpsRunResult> {
  const protocol = options.protocol ?? DEFAULT_PROTOCOL;
  const dir = await mkdtemp(join(tmpdir(), 'mddm-lmp-'));
  const t0 = performance.now();
  try {
    await writeFile(join(dir, 'opp.table'), lammpsPairTable(run, { points: protocol.tablePoints, rCut: protocol.rCut }));
    await writeFile(join(dir, 'in.opp'), lammpsInputScript({ T: run.T, seed: run.seed, tableFile: 'opp.table', dumpFile: 'final.dump' }, protocol));
    await spawnLammps(options.lmp ?? 'lmp', dir, options.signal);
    const dump = await readFile(join(dir, 'final.dump'), 'utf8');
    const { positions, box } = parseFinalDump(dump);
    return { positions, box, seconds: (performance.now() - t0) / 1000 };
  } finally {
    if (!options.keepWorkDir) await rm(dir, { recursive: true, force: true });
  }
}

function spawnLammps(lmp: string, cwd: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(lmp, ['-in', 'in.opp', '-log', 'log.lammps', '-screen', 'none', '-nocite'], {
      cwd,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      signal,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(new LammpsError(`LAMMPS executable '${lmp}' not found. Install it: apt-get install lammps (Debian/Ubuntu), or pass the path of your lmp binary.`));
      } else reject(e);
    });
    child.on('close', async (code) => {
      if (code === 0) return resolve();
      let log = '';
      try {
        log = (await readFile(join(cwd, 'log.lammps'), 'utf8')).split('\n').slice(-15).join('\n');
      } catch {
        /* no log */
      }
      reject(new LammpsError(`LAMMPS exited with code ${code} in ${cwd}.\n${stderr}\n${log}`));
    });
  });
}

/** Parses the single-frame `id x y z` dump the protocol writes (sorted by id). */
function parseFinalDump(text: string): { positions: Float64Array; box: [number, number, number] } {
  const lines = text.split('\n');
  const n = Number(lines[3]);
  const box: [number, number, number] = [0, 0, 0];
  const lo = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const [a, b] = lines[5 + d].trim().split(/\s+/).map(Number);
    lo[d] = a;
    box[d] = b - a;
  }
  const positions = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const f = lines[9 + i].trim().split(/\s+/).map(Number);
    const id = f[0] - 1;
    for (let d = 0; d < 3; d++) {
      let x = f[1 + d] - lo[d];
      x -= box[d] * Math.floor(x / box[d]);
      positions[3 * id + d] = x >= box[d] ? 0 : x;
    }
  }
  if (!Number.isInteger(n) || n <= 0 || positions.some((v) => !Number.isFinite(v))) {
    throw new LammpsError('LAMMPS final dump did not parse (atom count or coordinates invalid)');
  }
  return { positions, box };
}

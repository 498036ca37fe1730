import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrap } from '@mddm/pbc';
import { LammpsError } from './lammpsError';
import { IoError } from '../errors';
import { readLammpsDump } from './dump';
import { DEFAULT_PROTOCOL, lammpsInputScript, validateProtocol, type AnnealProtocol } from './protocol';
import { lammpsPairTable } from './table';

/** One conformation to simulate: OPP parameters, target temperature and velocity seed. */
export interface OppRunParameters {
  /** OPP frequency k (paper range 1..15). */
  readonly k: number;
  /** OPP phase phi (paper range 0..6). */
  readonly phi: number;
  /** Target temperature T > 0 (paper range 0.01..0.05), LJ units. */
  readonly T: number;
  /** LAMMPS velocity seed, integer in [1, 2^31 - 1]; different seeds give independent replicas. */
  readonly seed: number;
}

/** Result of one LAMMPS run: wrapped positions `[N, 3]` in `[0, L)`, box lengths and timing. */
export interface LammpsRunResult {
  /** Final positions, flat `[N, 3]`, wrapped into `[0, L)`, ordered by LAMMPS atom id. */
  readonly positions: Float64Array;
  /** Box lengths `[Lx, Ly, Lz]` (= latticeSide for the sc lattice of spacing 1). */
  readonly box: [number, number, number];
  /** Wall-clock seconds of the run (table + LAMMPS + parsing). */
  readonly seconds: number;
}

/** Options of {@link runOppLammps}. */
export interface RunLammpsOptions {
  /** LAMMPS executable, default `$MDDM_LMP` or `lmp` (Debian package `lammps`). */
  readonly lmp?: string;
  /** Annealing protocol, default {@link DEFAULT_PROTOCOL}. */
  readonly protocol?: AnnealProtocol;
  /** Keep the work directory (input, table, log, dump) instead of deleting it. */
  readonly keepWorkDir?: boolean;
  /** Abort signal: kills LAMMPS. */
  readonly signal?: AbortSignal;
}

/** Default LAMMPS executable: `$MDDM_LMP` or `lmp`. @internal */
export function defaultLmp(): string {
  return process.env.MDDM_LMP || 'lmp';
}

const INSTALL_HINT =
  'Install LAMMPS: `apt-get install lammps` (Debian/Ubuntu: provides `lmp`), `conda install -c conda-forge lammps`, ' +
  'or build it from source; then pass its path (option lmp / --lmp / env MDDM_LMP) if it is not `lmp` on the PATH.';

/**
 * Checks that the LAMMPS executable runs (`lmp -h`), so a generator fails once with a clear
 * message instead of once per conformation.
 *
 * @param lmp - executable name or path, default `$MDDM_LMP` or `lmp`
 * @returns the first line of LAMMPS's help (version banner)
 * @throws {@link LammpsError} `LAMMPS_NOT_FOUND` with install instructions
 */
export function checkLammps(lmp: string = defaultLmp()): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(lmp, ['-h'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 4096) out += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(new LammpsError(`LAMMPS executable '${lmp}' could not be started (${e.code ?? e.message}). ${INSTALL_HINT}`, 'LAMMPS_NOT_FOUND'));
    });
    child.on('close', (code) => {
      if (code === 0) resolve(out.split('\n').find((l) => /LAMMPS/.test(l))?.trim() ?? 'LAMMPS');
      else reject(new LammpsError(`'${lmp} -h' exited with code ${code}; is it LAMMPS? ${INSTALL_HINT}`, 'LAMMPS_NOT_FOUND'));
    });
  });
}

/** Checks k, phi, T and the seed of a run. @internal */
export function checkRun(run: OppRunParameters): void {
  const bad = (what: string, v: unknown, exp: string) => new LammpsError(`runOppLammps: ${what} must be ${exp}, got ${String(v)}`, 'LAMMPS_BAD_PARAMETERS');
  if (!Number.isFinite(run.k)) throw bad('k', run.k, 'a finite number');
  if (!Number.isFinite(run.phi)) throw bad('phi', run.phi, 'a finite number');
  if (!(Number.isFinite(run.T) && run.T > 0)) throw bad('T', run.T, 'a positive finite temperature');
  if (!(Number.isInteger(run.seed) && run.seed >= 1 && run.seed < 2 ** 31)) throw bad('seed', run.seed, 'an integer in [1, 2^31 - 1]');
}

/**
 * Runs one OPP self-assembly with LAMMPS (one core: `OMP_NUM_THREADS=1`) and returns the final
 * wrapped positions. About 36 s per 1000-particle conformation with the default protocol on this
 * project's machine (57,000 MD steps).
 *
 * @param run - k, phi, T and the velocity seed
 * @param options - executable, protocol, work directory handling, abort signal
 * @returns positions `[N, 3]` in `[0, L)`, box and seconds
 * @throws {@link LammpsError} when LAMMPS is missing (`LAMMPS_NOT_FOUND`, with install instructions),
 *   exits with an error (`LAMMPS_FAILED`, with the log tail) or writes an unreadable dump
 */
export async function runOppLammps(run: OppRunParameters, options: RunLammpsOptions = {}): Promise<LammpsRunResult> {
  checkRun(run);
  const protocol = options.protocol ?? DEFAULT_PROTOCOL;
  validateProtocol(protocol);
  const dir = await mkdtemp(join(tmpdir(), 'mddm-lmp-'));
  const t0 = performance.now();
  try {
    await writeLammpsRunFiles(dir, run, protocol);
    await spawnLammps(options.lmp ?? defaultLmp(), dir, options.signal);
    const positions = await readLammpsRunResult(dir, protocol);
    return { positions: positions.positions, box: positions.box, seconds: (performance.now() - t0) / 1000 };
  } finally {
    if (!options.keepWorkDir) await rm(dir, { recursive: true, force: true });
  }
}

/** The LAMMPS command-line arguments of one run (inputs written by {@link writeLammpsRunFiles}, run in their folder). @internal */
export const LAMMPS_RUN_ARGS: readonly string[] = Object.freeze(['-in', 'in.opp', '-log', 'log.lammps', '-screen', 'none', '-nocite']);

/**
 * Writes the input files of one run into `dir`: the pair table `opp.table` and the script `in.opp`
 * (which writes `final.dump`). The local runner and the Slurm executor both use it, so a run is the
 * same wherever it happens. @internal
 */
export async function writeLammpsRunFiles(dir: string, run: OppRunParameters, protocol: AnnealProtocol): Promise<void> {
  checkRun(run);
  await writeFile(join(dir, 'opp.table'), lammpsPairTable(run, { points: protocol.tablePoints, rCut: protocol.rCut }));
  await writeFile(join(dir, 'in.opp'), lammpsInputScript({ T: run.T, seed: run.seed, tableFile: 'opp.table', dumpFile: 'final.dump' }, protocol));
}

/**
 * Reads the final configuration of a finished run in `dir` (`final.dump`), checks it and wraps it
 * into `[0, L)`. @internal
 * @throws {@link LammpsError} `LAMMPS_BAD_OUTPUT` when the dump is missing, unreadable or has the wrong atom count
 */
export async function readLammpsRunResult(dir: string, protocol: AnnealProtocol): Promise<{ positions: Float64Array; box: [number, number, number] }> {
  let frame;
  try {
    for await (const f of readLammpsDump(join(dir, 'final.dump'))) {
      if (frame) throw new LammpsError('LAMMPS final dump holds more than one frame', 'LAMMPS_BAD_OUTPUT');
      frame = f;
    }
  } catch (e) {
    if (e instanceof IoError && !(e instanceof LammpsError)) throw new LammpsError(`LAMMPS final dump does not parse: ${e.message}`, 'LAMMPS_BAD_OUTPUT');
    throw e;
  }
  if (!frame) throw new LammpsError('LAMMPS final dump holds no frame', 'LAMMPS_BAD_OUTPUT');
  const n = protocol.latticeSide ** 3;
  if (frame.positions.length !== 3 * n) {
    throw new LammpsError(`LAMMPS final dump has ${frame.positions.length / 3} atoms, expected latticeSide^3 = ${n}`, 'LAMMPS_BAD_OUTPUT');
  }
  return { positions: wrap(frame.positions, frame.box), box: frame.box };
}

/** Runs `lmp -in in.opp` in `cwd` on one core; rejects with a {@link LammpsError} and the log tail on failure. @internal */
export function spawnLammps(lmp: string, cwd: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(lmp, [...LAMMPS_RUN_ARGS], {
      cwd,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      signal,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new LammpsError(`LAMMPS executable '${lmp}' not found. ${INSTALL_HINT}`, 'LAMMPS_NOT_FOUND'));
      else if (e.name === 'AbortError') reject(new LammpsError(`LAMMPS run aborted`, 'LAMMPS_ABORTED'));
      else reject(new LammpsError(`LAMMPS could not be started: ${e.message}`, 'LAMMPS_FAILED'));
    });
    child.on('close', async (code) => {
      if (code === 0) return resolve();
      let log = '';
      try {
        log = (await readFile(join(cwd, 'log.lammps'), 'utf8')).split('\n').slice(-15).join('\n');
      } catch {
        /* no log */
      }
      reject(new LammpsError(`LAMMPS exited with code ${code} in ${cwd}.\n${stderr}\n${log}`.trimEnd(), 'LAMMPS_FAILED'));
    });
  });
}

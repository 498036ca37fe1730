// Generates (or resumes) the shipped data: 230 LAMMPS conformations into packages/io/data-raw/<set>/<id>.xyz
// (opp-unconditional 1, opp-replicas 4, opp-test 25, opp-train 200; see shippedPlan()).
// Same as: pnpm mddm-data generate --preset shipped [--concurrency N]
// Then pack:  pnpm --filter @mddm/io pack-data   (or: pnpm mddm-data pack)
import { runDataCli } from '../src/cli';

process.exitCode = await runDataCli(['generate', '--preset', 'shipped', ...process.argv.slice(2).filter((a) => a !== '--')]);

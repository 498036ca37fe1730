import { packageBuild } from '../../tsup.base';

// Two entries: the library (runMddm, for embedding and tests) and the executable the bin launcher loads.
export default packageBuild({ entry: ['src/index.ts', 'src/bin.ts'] });

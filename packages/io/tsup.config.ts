import { packageBuild } from '../../tsup.base';

export default packageBuild({
  entry: ['src/index.ts', 'src/bin.ts'],
  // import.meta.url (used to find the shipped data/) is shimmed in the CJS build.
  shims: true,
});

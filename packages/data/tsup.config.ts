import { packageBuild } from '../../tsup.base';

export default packageBuild({
  // import.meta.url (used to find the package's data/ folder) is shimmed in the CJS build.
  shims: true,
});

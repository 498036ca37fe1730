import { packageBuild } from '../../tsup.base';

export default packageBuild({
  // src/cli.ts: the `@mddm/io/cli` subpath (the mddm-data runner, kept off the main entry point);
  // src/browser.ts: the `@mddm/io/browser` subpath (text formats, potential, MD: no Node built-ins)
  entry: ['src/index.ts', 'src/bin.ts', 'src/cli.ts', 'src/browser.ts'],
  // import.meta.url (used to find the shipped data/) is shimmed in the CJS build.
  shims: true,
});

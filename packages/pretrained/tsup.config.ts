import { packageBuild } from '../../tsup.base';

// import.meta.url (used to find the shipped models/) is shimmed in the CJS build.
export default packageBuild({ shims: true });

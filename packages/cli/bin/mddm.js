#!/usr/bin/env node
// Launcher of the `mddm` command. It is a committed file (not in dist/) so that package managers can
// link the bin before the package is built; it loads the built program.
import('../dist/bin.js');

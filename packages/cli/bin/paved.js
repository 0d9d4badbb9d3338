#!/usr/bin/env node
// Installs made before bin/paved.cjs link `paved` here; `npm install` links paved.cjs, which
// starts faster (no ES module loader): see there.
import './paved.cjs';

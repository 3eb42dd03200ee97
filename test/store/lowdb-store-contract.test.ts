import { dirname } from 'node:path';
import { LowdbStore, type Store } from '../../src/store/index.js';
import { describeStoreContract } from './store-contract.js';
import { tempDir } from './temp-dirs.js';

describeStoreContract('LowdbStore', {
  create: async (opts) => new LowdbStore(await tempDir(), opts),
  // A new instance on the same directory: only what reached the file survives.
  reopen: async (store: Store, opts) => {
    await store.close();
    return new LowdbStore(dirname(store.location), opts);
  },
});

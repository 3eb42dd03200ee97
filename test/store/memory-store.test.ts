import { MemoryStore, type Store } from '../../src/store/index.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('MemoryStore', {
  create: async (opts) => new MemoryStore(opts),
  // Closing and opening the same instance again is how a MemoryStore "restarts".
  reopen: async (store: Store) => {
    await store.close();
    return store;
  },
});

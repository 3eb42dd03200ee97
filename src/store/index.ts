export type * from './types.js';
export { STORE_SCHEMA_VERSION } from './types.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export { LowdbStore } from './lowdb-store.js';
export { MemoryStore } from './memory-store.js';
export { moveAside } from './move-aside.js';
export { BACKUPS_KEPT, backupPath, checkStore, repairFromBackup, rotateBackups } from './backups.js';
export { DEFAULT_LIMITS, type StoreOptions, type StoreLimits } from './options.js';
export { STORE_FILE, storeFilePath } from './paths.js';

// `edgemem/importers/mem0`: mem0's data as portable records (docs/format.md#from-mem0). Its own entry,
// so that apps which never migrate from mem0 do not carry it (in a Worker bundle especially).
export { fromMem0Oss, fromMem0Platform, type Mem0HistoryRow, type Mem0OssOptions, type Mem0Point } from './mem0.ts'
export { readMem0History, type SqlJsLike } from './mem0-sqlite.ts'

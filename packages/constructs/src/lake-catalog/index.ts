export * from './lake-catalog.js';
export type {
  LakeColumn,
  LakeDatePartition,
  LakeEnumPartition,
  LakeIntegerPartition,
  LakePartition,
  LakeTableProps,
} from './lake-table.js';

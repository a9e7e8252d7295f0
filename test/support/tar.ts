export {
  odHex,
  paxFile,
  paxRecords,
  type RawEntry,
  tarArchive,
  tarEntry,
  tarHeader,
} from '../../testcluster/tar-writer.js';

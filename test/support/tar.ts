export { odHex, type RawEntry, tarArchive, tarEntry, tarHeader } from '../../testcluster/tar-writer.js';

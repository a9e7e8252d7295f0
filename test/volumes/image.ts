import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type RawEntry, tarArchive } from '../support/tar.js';

/** The name the test image is imported under. */
export const imageName = 'docker.io/gatehouse/busybox:test';

const applets = ['sh', 'ls', 'cat', 'echo', 'sleep', 'rm', 'chmod', 'wget', 'vi', 'id'];

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Layer 1: busybox-static with applet links, a passwd file and a directory layer 2 will make opaque. */
export function baseLayer(): Buffer {
  const entries: RawEntry[] = [
    { name: 'bin/', type: '5', mode: 0o755 },
    { name: 'bin/busybox', data: readFileSync('/bin/busybox'), mode: 0o755 },
    ...applets.map((applet): RawEntry => ({ name: `bin/${applet}`, type: '2', linkName: 'busybox' })),
    { name: 'etc/', type: '5', mode: 0o755 },
    { name: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' },
    { name: 'opt/', type: '5', mode: 0o755 },
    { name: 'opt/app/', type: '5', mode: 0o755 },
    { name: 'opt/app/old.conf', data: 'old=1\n' },
    { name: 'tmp/', type: '5', mode: 0o1777 },
  ];
  return tarArchive(entries);
}

/** Layer 2: an added file, an OCI whiteout (bin/vi) and an opaque directory (opt/app). */
function topLayer(): Buffer {
  return tarArchive([
    { name: 'etc/', type: '5', mode: 0o755 },
    { name: 'etc/motd', data: 'welcome\n' },
    { name: 'bin/', type: '5', mode: 0o755 },
    { name: 'bin/.wh.vi', data: '' },
    { name: 'opt/', type: '5', mode: 0o755 },
    { name: 'opt/app/', type: '5', mode: 0o755 },
    { name: 'opt/app/.wh..wh..opq', data: '' },
    { name: 'opt/app/new.conf', data: 'new=1\n' },
  ]);
}

/** Layer 3 (benchmarks only): `count` small files in directories of 100. */
function manyFilesLayer(count: number): Buffer {
  const entries: RawEntry[] = [
    { name: 'usr/', type: '5', mode: 0o755 },
    { name: 'usr/share/', type: '5', mode: 0o755 },
  ];
  for (let index = 0; index < count; index++) {
    if (index % 100 === 0) entries.push({ name: `usr/share/d${index / 100}/`, type: '5', mode: 0o755 });
    entries.push({ name: `usr/share/d${Math.floor(index / 100)}/f${index}`, data: `file ${index}\n` });
  }
  return tarArchive(entries);
}

/**
 * An OCI image archive (oci-layout, index.json, blobs) that `ctr images import` accepts, made
 * without a registry: two uncompressed layers, a config and a manifest, addressed by sha256.
 */
export function ociImageArchive(options: { readonly manyFiles?: number } = {}): Buffer {
  return buildArchive(options).archive;
}

/** The digest of the image's manifest, which containerd records as the image's target. */
export function manifestDigest(options: { readonly manyFiles?: number } = {}): string {
  return buildArchive(options).manifestDigest;
}

function buildArchive(options: { readonly manyFiles?: number }): { archive: Buffer; manifestDigest: string } {
  const layers = [baseLayer(), topLayer()];
  if (options.manyFiles) layers.push(manyFilesLayer(options.manyFiles));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => `sha256:${sha256(layer)}`) },
    }),
  );
  const descriptor = (mediaType: string, bytes: Buffer) => ({
    mediaType,
    digest: `sha256:${sha256(bytes)}`,
    size: bytes.length,
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: layers.map((layer) => descriptor('application/vnd.oci.image.layer.v1.tar', layer)),
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        ...descriptor('application/vnd.oci.image.manifest.v1+json', manifest),
        annotations: { 'io.containerd.image.name': imageName, 'org.opencontainers.image.ref.name': 'test' },
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ],
  };
  const blobs = [config, manifest, ...layers].map(
    (bytes): RawEntry => ({ name: `blobs/sha256/${sha256(bytes)}`, data: bytes }),
  );
  const archive = tarArchive([
    { name: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', data: JSON.stringify(index) },
    { name: 'blobs/', type: '5', mode: 0o755 },
    { name: 'blobs/sha256/', type: '5', mode: 0o755 },
    ...blobs,
  ]);
  return { archive, manifestDigest: `sha256:${sha256(manifest)}` };
}

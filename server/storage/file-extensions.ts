/** File extensions of common record media types, as the Crawlee local layout names record files. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/json': 'json',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/css': 'css',
  'text/csv': 'csv',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/javascript': 'js',
  'text/javascript': 'js',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/octet-stream': 'bin',
};

const MEDIA_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EXTENSIONS).map(([mediaType, extension]) => [extension, mediaType]),
);

/** The extension for a Content-Type (parameters ignored); `bin` when unknown. */
export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType.split(';')[0]?.trim().toLowerCase() ?? ''] ?? 'bin';
}

/** Whether `extension` is one this layout gives record files (`bin` included). */
export function isKnownExtension(extension: string): boolean {
  return Object.hasOwn(MEDIA_TYPES, extension);
}

/** For a file placed by hand (no metadata): its key and media type, guessed from the extension. */
export function guessRecordFromFile(fileName: string): { key: string; contentType: string } {
  const dot = fileName.lastIndexOf('.');
  const mediaType = dot > 0 ? MEDIA_TYPES[fileName.slice(dot + 1).toLowerCase()] : undefined;
  return mediaType
    ? { key: fileName.slice(0, dot), contentType: mediaType }
    : { key: fileName, contentType: 'application/octet-stream' };
}

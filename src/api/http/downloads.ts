/** The headers of a file the browser saves (a report, a statement). */
export function downloadHeaders(fileName: string): Record<string, string> {
  return {
    'Content-Disposition': `attachment; filename="${fileName}"`,
    // Names and phone numbers of pensioners: no shared cache may keep a copy.
    'Cache-Control': 'no-store',
  };
}

export const CSV = 'text/csv; charset=utf-8';
export const JSON_FILE = 'application/json; charset=utf-8';

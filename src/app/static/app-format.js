// The aggregator app: figures as the pages write them (issue 23), for the other app scripts. Mirrors
// `formatBytes` of `src/web/pages/format.ts` (a browser script cannot import the TypeScript).

/** `1.2 MB` (powers of 1000). */
export function formatBytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** `1.2 MB/s` (bytes a second, rounded; none: 0). */
export const rateText = (rate) => `${formatBytes(Math.round(rate ?? 0))}/s`;

// The aggregator app: forms (issue 23).

/** The CSRF token the page carries, for requests the script makes. */
export const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/*
 * seedcast_search: a SQLite loadable extension (not a Node addon) that registers one FTS5
 * auxiliary function, `seedcast_bm25`, for the catalog's search (issue 22, docs/scale.md 4).
 *
 *   select rowid, seedcast_bm25(items_fts, w_0, ..., w_{ncol-1}, idf_0, idf_1, ...)
 *     from items_fts where items_fts match ? order by rowid desc limit ?
 *
 * returns each matching row's bm25 (Robertson/Sparck Jones Okapi BM25 with k1 1.2, b 0.75, as
 * FTS5's own `bm25()` computes it, but positive: higher is better) in the same pass as the walk
 * that finds the row. The term frequencies come from FTS5's position lists (each hit of phrase i
 * in column c adds w_c), the row's length from FTS5's token counts (all columns) and the average
 * length from FTS5's totals, so neither the rows' text nor a second query is needed.
 *
 * Unlike `bm25()`, the document frequencies are not read here: they cost a walk of each phrase's
 * whole posting list per statement. The caller passes one IDF per phrase instead (phrases in the
 * order they appear in the query); phrases past the given IDFs weigh 0, so filter terms and a
 * column-filtered copy of the words (the title tier's query) can follow the words without
 * counting. A weight per column is required.
 *
 * Built by scripts/build-native.js with the sqlite3ext.h of better-sqlite3's own SQLite; loaded
 * by src/db/open.ts. Written for Seedcast; the formula is the one FTS5 documents.
 */

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

#include <string.h>

#define K1 1.2
#define B 0.75

/* Per statement (FTS5 keeps it for the query's life): the totals and the arguments read once. */
typedef struct Bm25Data {
  int ncol;
  int nphrase;
  double avgdl;
  double *weight; /* ncol */
  double *idf;    /* nphrase, 0 past the IDFs given */
  double *freq;   /* nphrase, scratch */
} Bm25Data;

static Bm25Data *bm25_data(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                           int nval, sqlite3_value **val, int *rc) {
  Bm25Data *d = (Bm25Data *)api->xGetAuxdata(fts, 0);
  if (d) return d;
  int ncol = api->xColumnCount(fts);
  int nphrase = api->xPhraseCount(fts);
  if (nval < ncol) {
    sqlite3_result_error(ctx, "seedcast_bm25: one weight per column is required", -1);
    *rc = SQLITE_ERROR;
    return 0;
  }
  sqlite3_int64 rows = 0;
  sqlite3_int64 tokens = 0;
  *rc = api->xRowCount(fts, &rows);
  if (*rc == SQLITE_OK) *rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (*rc != SQLITE_OK) return 0;
  size_t bytes = sizeof(Bm25Data) + sizeof(double) * (size_t)(ncol + 2 * nphrase);
  d = (Bm25Data *)sqlite3_malloc64(bytes);
  if (!d) {
    *rc = SQLITE_NOMEM;
    return 0;
  }
  memset(d, 0, bytes);
  d->ncol = ncol;
  d->nphrase = nphrase;
  d->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
  d->weight = (double *)&d[1];
  d->idf = d->weight + ncol;
  d->freq = d->idf + nphrase;
  for (int c = 0; c < ncol; c++) d->weight[c] = sqlite3_value_double(val[c]);
  for (int i = 0; i < nphrase && ncol + i < nval; i++) d->idf[i] = sqlite3_value_double(val[ncol + i]);
  *rc = api->xSetAuxdata(fts, d, sqlite3_free);
  return *rc == SQLITE_OK ? d : 0;
}

static void seedcast_bm25(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                          int nval, sqlite3_value **val) {
  int rc = SQLITE_OK;
  Bm25Data *d = bm25_data(api, fts, ctx, nval, val, &rc);
  if (!d) {
    if (rc != SQLITE_ERROR) sqlite3_result_error_code(ctx, rc);
    return;
  }
  /* Term frequencies, weighted by column, from the position list of each phrase that counts. */
  for (int i = 0; i < d->nphrase; i++) {
    d->freq[i] = 0;
    if (d->idf[i] == 0) continue;
    Fts5PhraseIter iter;
    int col = -1;
    int off = -1;
    rc = api->xPhraseFirst(fts, i, &iter, &col, &off);
    if (rc != SQLITE_OK) break;
    for (; col >= 0; api->xPhraseNext(fts, &iter, &col, &off))
      if (col < d->ncol) d->freq[i] += d->weight[col];
  }
  int length = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &length);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  double norm = K1 * (1 - B + B * (double)length / d->avgdl);
  double score = 0;
  for (int i = 0; i < d->nphrase; i++)
    if (d->idf[i] != 0) score += d->idf[i] * ((d->freq[i] * (K1 + 1.0)) / (d->freq[i] + norm));
  sqlite3_result_double(ctx, score);
}

/* FTS5's API object, asked for the documented way (`select fts5(?1)` with a bound pointer). */
static fts5_api *fts5_of(sqlite3 *db) {
  fts5_api *api = 0;
  sqlite3_stmt *stmt = 0;
  if (sqlite3_prepare_v2(db, "select fts5(?1)", -1, &stmt, 0) != SQLITE_OK) return 0;
  sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", 0);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_seedcastsearch_init(sqlite3 *db, char **err, const sqlite3_api_routines *routines) {
  SQLITE_EXTENSION_INIT2(routines);
  fts5_api *fts = fts5_of(db);
  if (!fts || fts->iVersion < 2) {
    *err = sqlite3_mprintf("seedcast_search: this SQLite has no FTS5 (version 2 or later)");
    return SQLITE_ERROR;
  }
  return fts->xCreateFunction(fts, "seedcast_bm25", 0, seedcast_bm25, 0);
}

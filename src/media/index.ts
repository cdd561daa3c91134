/** Media work on items: facts, thumbnails, derivatives, captions (`view.ts` is what others read). */

export {
  CHAPTER_LIMITS,
  type Chapter,
  type Chapters,
  chaptersFromText,
  chaptersToText,
  checkChapters,
  formatChapterTime,
} from './captions-chapters.js';
export {
  CAPTION_LIMITS,
  type CaptionFormat,
  type Cue,
  cuePlainText,
  parseCaptions,
  stripCueMarkup,
} from './captions-format.js';
export {
  type CaptionRecord,
  Captions,
  type CaptionUpload,
  canonicalLanguage,
  languageName,
  MAX_CAPTION_LANGUAGES,
} from './captions-store.js';
export type {
  CaptionKind,
  CaptionView,
  CaptionViews,
  DerivativeJson,
  DerivativeKind,
  ItemMediaView,
  Processing,
  ProcessingState,
  ProcessingViews,
} from './view.js';

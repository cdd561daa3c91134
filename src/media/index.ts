/** Media work on items: facts, thumbnails, derivatives, captions (`view.ts` is what others read). */

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

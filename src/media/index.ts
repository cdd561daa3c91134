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
export {
  type CodecFacts,
  type CodecProbeOptions,
  codecFacts,
  isPdf,
  probeCodecFacts,
} from './codec-facts.js';
export { contentTypeOf, mediaTypeOf } from './content-types.js';
export {
  type CommandOptions,
  DEFAULT_MAX_BYTES,
  type DerivativeCommand,
  derivativeCommand,
  PAGE_SIZE,
} from './derivative-command.js';
export {
  type AudioEncoding,
  type DerivativePlan,
  fit,
  h264Level,
  type PlanOptions,
  planDerivatives,
  type StoryboardLayout,
  storyboardLayout,
  type VideoEncoding,
} from './derivative-plan.js';
export { sha384Integrity } from './integrity.js';
export { type MediaJobDeps, mediaJobHandlers } from './jobs.js';
export {
  type DerivativeResult,
  derivativeTimeout,
  type MakeDerivativeOptions,
  makeDerivative,
} from './make-derivative.js';
export {
  type AnalysisOutcome,
  MediaAnalyzer,
  type MediaAnalyzerOptions,
  mainMediaFile,
} from './media-analyzer.js';
export { fallbackFacts, type MediaFacts, mediaFacts } from './media-facts.js';
export { isWebH264, playsEverywhere, webMimeOf } from './plays-everywhere.js';
export { hardenedInput, INPUT_FORMATS, type MediaToolOptions, type ProbeResult, probeFile } from './probe.js';
export { MediaProcessing, type MediaProcessingOptions } from './processing.js';
export { derivativeKey, derivativesTorrentKey } from './processing-derive.js';
export type { DerivativeMaker, MadeDerivative, MakeOptions, MakerOptions } from './processing-maker.js';
export { defaultMaker } from './processing-maker.js';
export { runTool, type ToolFailure, type ToolOptions, type ToolResult } from './run-tool.js';
export { isJpeg, makeThumbnail, THUMBNAIL_TYPE, type ThumbnailOptions, thumbnailTime } from './thumbnail.js';
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

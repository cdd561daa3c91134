import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Item } from '../../catalog/index.js';
import type { DerivativeJson, ItemMediaView } from '../../media/view.js';
import { PlayerArea, type PlayerAreaData } from './player-media.js';
import { formatName, mediaSources, sourceType } from './player-sources.js';

function item(mediaType: Item['mediaType'], path: string, mimeType: string | null): Item {
  return {
    id: 7,
    title: 'Clip',
    mediaType,
    width: null,
    height: null,
    files: [{ position: 0, path, length: 2048, blobKey: 'files/x/0', mimeType, sha256: null }],
  } as unknown as Item;
}

const d = (
  kind: DerivativeJson['kind'],
  label: string,
  extra: Partial<DerivativeJson> = {},
): DerivativeJson => ({
  kind,
  label,
  mime: kind === 'video' ? 'video/mp4' : kind === 'audio' ? 'audio/mpeg' : 'image/jpeg',
  length: 100,
  url: `/items/7/derivatives/${label}`,
  ...extra,
});

const view = (
  derivatives: DerivativeJson[],
  processing: ItemMediaView['processing'] = null,
): ItemMediaView => ({
  processing,
  derivatives,
});

function render(data: Partial<PlayerAreaData> & { item: Item }): string {
  return PlayerArea({
    data: {
      fileUrls: [`/items/7/files/${data.item.files[0]!.path}`],
      mainFile: 0,
      playerScript: '/static/player.js',
      ...data,
    },
  }).toString();
}

const sourcesOf = (html: string) =>
  [...html.matchAll(/<source src="([^"]*)" type="([^"]*)" data-label="([^"]*)"/g)].map((m) => ({
    src: m[1],
    type: m[2]!.replaceAll('&quot;', '"'),
    label: m[3],
  }));

test('a video lists its derivatives highest rung first, then the original, with codecs types', () => {
  const html = render({
    item: item('video', 'clip.avi', 'video/x-msvideo'),
    media: view([
      d('video', '360p', { height: 360 }),
      d('poster', 'poster'),
      d('video', '1080p', { height: 1080 }),
      d('video', '720p', { height: 720 }),
    ]),
  });
  assert.deepEqual(sourcesOf(html), [
    { src: '/items/7/derivatives/1080p', type: 'video/mp4; codecs="avc1.640028, mp4a.40.2"', label: '1080p' },
    { src: '/items/7/derivatives/720p', type: 'video/mp4; codecs="avc1.640028, mp4a.40.2"', label: '720p' },
    { src: '/items/7/derivatives/360p', type: 'video/mp4; codecs="avc1.640028, mp4a.40.2"', label: '360p' },
    { src: '/items/7/files/clip.avi', type: 'video/x-msvideo', label: 'original' },
  ]);
  assert.match(html, /poster="\/items\/7\/derivatives\/poster"/);
  // the quality menu lists every source (the script keeps those the browser can play)
  const options = [...html.matchAll(/<option value="\d">([^<]*)<\/option>/g)].map((m) => m[1]);
  assert.deepEqual(options, ['1080p', '720p', '360p', 'original']);
  assert.match(html, /<script type="module" src="\/static\/player.js">/);
  // the message (hidden until the script finds nothing to play) names the format and links the original
  assert.match(html, /id="player-message" role="alert" hidden/);
  assert.match(
    html,
    /<a href="\/items\/7\/files\/clip.avi" download id="player-download"[^>]*>download the original \(AVI video, clip.avi, 2.0 KB\)/,
  );
  assert.doesNotMatch(html, /download it below/);
});

test('without derivatives the original alone, no menu; the thumbnail is the poster', () => {
  const html = render({
    item: item('video', 'clip.mp4', 'video/mp4'),
    thumbnailUrl: '/items/7/thumbnail.jpg',
  });
  assert.deepEqual(
    sourcesOf(html).map((s) => s.label),
    ['original'],
  );
  assert.doesNotMatch(html, /quality-select/);
  assert.match(html, /poster="\/items\/7\/thumbnail.jpg"/);
  assert.doesNotMatch(html, /id="processing"/);
});

test('audio plays its MP3 before the WAV, its waveform as the picture', () => {
  const html = render({
    item: item('audio', 'take.wav', 'audio/wav'),
    media: view([d('audio', 'mp3', { bitrate: 128000 }), d('waveform', 'waveform', { mime: 'image/png' })]),
  });
  assert.deepEqual(sourcesOf(html), [
    { src: '/items/7/derivatives/mp3', type: 'audio/mpeg', label: 'mp3' },
    { src: '/items/7/files/take.wav', type: 'audio/wav', label: 'original' },
  ]);
  assert.match(html, /<img src="\/items\/7\/derivatives\/waveform" alt="" class="waveform">/);
});

test('the processing notice while queued or running, the error when failed, nothing when done', () => {
  const running = render({
    item: item('video', 'clip.mkv', 'video/x-matroska'),
    media: view([], { state: 'running', progress: 0.42 }),
  });
  assert.match(
    running,
    /<div class="processing-notice" id="processing" role="status" data-state="running" data-poll-url="\/api\/v1\/items\/7">/,
  );
  assert.match(running, /Processing: making a version that plays in your browser… 42%/);
  assert.match(running, /id="processing-download"/);
  const queued = render({
    item: item('video', 'clip.mkv', 'video/x-matroska'),
    media: view([], { state: 'queued' }),
  });
  assert.match(queued, /data-state="queued"[^>]*>[\s\S]*… 0%/);
  const failed = render({
    item: item('video', 'clip.mkv', 'video/x-matroska'),
    media: view([], { state: 'failed', error: 'ffmpeg exited with 1' }),
  });
  assert.match(failed, /Processing failed: ffmpeg exited with 1\./);
  assert.match(failed, /You can still <a href="\/items\/7\/files\/clip.mkv" download/);
  const done = render({
    item: item('video', 'clip.mkv', 'video/x-matroska'),
    media: view([], { state: 'done' }),
  });
  assert.doesNotMatch(done, /id="processing"/);
  // an image being processed loads the script for the polling
  const image = render({ item: item('image', 'a.tif', 'image/tiff'), media: view([], { state: 'running' }) });
  assert.match(image, /player.js/);
});

test('captions become tracks, the page language on by default', () => {
  const html = render({
    item: item('video', 'clip.mp4', 'video/mp4'),
    captions: [
      { language: 'fr', label: 'Français', kind: 'subtitles', url: '/items/7/captions/fr.vtt' },
      { language: 'en-GB', label: 'English', kind: 'captions', url: '/items/7/captions/en-GB.vtt' },
    ],
  });
  assert.match(
    html,
    /<track kind="subtitles" src="\/items\/7\/captions\/fr.vtt" srclang="fr" label="Français">/,
  );
  assert.match(
    html,
    /<track kind="captions" src="\/items\/7\/captions\/en-GB.vtt" srclang="en-GB" label="English" default>/,
  );
});

test('images use the web-size derivative; PDFs open in a frame with the first page; other files say where the downloads are', () => {
  const image = render({ item: item('image', 'photo.tif', 'image/tiff'), media: view([d('image', 'web')]) });
  assert.match(image, /<img src="\/items\/7\/derivatives\/web"/);
  const pdf = render({
    item: item('text', 'paper.pdf', 'application/pdf'),
    media: view([d('page', 'page', { mime: 'image/png' })]),
  });
  assert.match(pdf, /<iframe src="\/items\/7\/files\/paper.pdf\?view=frame"/);
  assert.match(pdf, /<img src="\/items\/7\/derivatives\/page" alt="First page of Clip"/);
  const bin = render({ item: item('other', 'blob.bin', 'application/octet-stream') });
  assert.match(
    bin,
    /No preview for this kind of file \(BIN file\): you can <a href="\/items\/7\/files\/blob.bin" download id="player-download"/,
  );
  assert.match(
    bin,
    /the <a href="#download">Download box<\/a> \(on the right, or below on a narrow screen\)/,
  );
  assert.doesNotMatch(bin, /download it below/);
  assert.doesNotMatch(bin, /player.js/);
});

test('source types and format names', () => {
  assert.equal(
    sourceType({ kind: 'video', mime: 'video/mp4; codecs="avc1.42E01E"' }),
    'video/mp4; codecs="avc1.42E01E"',
  );
  assert.equal(sourceType({ kind: 'audio', mime: 'audio/mp4' }), 'audio/mp4; codecs="mp4a.40.2"');
  assert.equal(formatName('a/b/Clip.MKV'), 'Matroska (MKV) video');
  assert.equal(formatName('noext'), 'file');
  assert.deepEqual(mediaSources({ mediaType: 'image' }, undefined), []);
});

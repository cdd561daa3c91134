// The aggregator app's page script: progressive enhancement over plain forms and links. Each feature
// has its module (loaded from here): live progress, the player, forms and keyboard shortcuts.
import './app-progress.js';
import './app-player.js';
import './app-forms.js';
import './app-sharing.js';

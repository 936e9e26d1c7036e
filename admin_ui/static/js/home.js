// The home page: election end times in the browser's time zone.
import './common.js';

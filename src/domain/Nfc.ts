/*
 * Unicode NFC of a text, without asking ICU when the text is ASCII (every ASCII text is already NFC). V8's
 * `String.prototype.normalize` loads ICU's normalization data at its first call whatever the text, about 0.13 MiB
 * resident in each process, and labels, names and paths are nearly always ASCII
 * (docs/adr/0060-iso-time-without-the-time-zone.md).
 */

// oxlint-disable-next-line no-control-regex -- the whole ASCII range, controls included
const ASCII = /^[\u0000-\u007f]*$/

/** `text.normalize("NFC")`. */
export const nfc = (text: string): string => (ASCII.test(text) ? text : text.normalize("NFC"))

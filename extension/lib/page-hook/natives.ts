/**
 * The browser's own network functions, taken before any page script runs. Every wrapper calls
 * these, never what it finds on `window` later: page code could have replaced those by then.
 */
export type Natives = {
  fetch: typeof fetch;
  xhrOpen: XMLHttpRequest['open'];
  xhrSend: XMLHttpRequest['send'];
  xhrSetRequestHeader: XMLHttpRequest['setRequestHeader'];
  xhrAbort: XMLHttpRequest['abort'];
  sendBeacon: Navigator['sendBeacon'] | undefined;
  formSubmit: HTMLFormElement['submit'];
};

export function captureNatives(win: Window & typeof globalThis): Natives {
  const xhr = win.XMLHttpRequest.prototype;
  return {
    fetch: win.fetch,
    xhrOpen: xhr.open,
    xhrSend: xhr.send,
    xhrSetRequestHeader: xhr.setRequestHeader,
    xhrAbort: xhr.abort,
    sendBeacon: win.navigator.sendBeacon?.bind(win.navigator),
    formSubmit: win.HTMLFormElement.prototype.submit,
  };
}

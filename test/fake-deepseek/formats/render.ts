import type { StreamScript } from '../script';
import { renderFormatA } from './format-a';
import { renderFormatB } from './format-b';
import { renderFormatC } from './format-c';
import type { Frames } from './frames';

export function renderScript(script: StreamScript): Frames {
  switch (script.format) {
    case 'A':
      return renderFormatA(script);
    case 'B':
      return renderFormatB(script);
    case 'C':
      return renderFormatC(script);
  }
}

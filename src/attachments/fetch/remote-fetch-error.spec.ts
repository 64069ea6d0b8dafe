import { RemoteFetchError, remoteFetchApiError } from './remote-fetch-error';

describe('remoteFetchApiError', () => {
  it('is a 400 naming the field, with the reason as its code', () => {
    const error = new RemoteFetchError('too_large', 'the file at img.example.test is larger than 10 bytes.');
    const apiError = remoteFetchApiError(error, 'messages[0].content[1].image_url.url');
    expect(apiError.getStatus()).toBe(400);
    expect(apiError.param).toBe('messages[0].content[1].image_url.url');
    expect(apiError.code).toBe('attachment_too_large');
    expect(apiError.message).toBe(
      "Could not fetch the URL in 'messages[0].content[1].image_url.url': the file at img.example.test is larger than 10 bytes.",
    );
  });
});

import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { MAX_TOKEN_LENGTH, TOKEN_PATTERN } from '../token-syntax';

export class CheckTokenDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TOKEN_LENGTH)
  @Matches(TOKEN_PATTERN, { message: 'token must be printable ASCII without spaces or commas' })
  token!: string;
}

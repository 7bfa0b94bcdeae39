/** /api/admin (src/api/routes/admin.ts): staff-only user management. */
import { USER_ROLES } from '../../models';
import { BEARER, errorResponse, jsonRequestBody, jsonResponse, nullable, object, ref, responses } from './components';
import type { ApiArea, SchemaObject } from './types';

const TAG = 'admin';

const schemas: Record<string, SchemaObject> = {
  CreateUserRequest: {
    type: 'object',
    required: ['email', 'first_name', 'last_name', 'role'],
    properties: {
      email: { type: 'string', format: 'email', maxLength: 254 },
      first_name: { type: 'string', minLength: 1, maxLength: 150 },
      last_name: { type: 'string', minLength: 1, maxLength: 150 },
      role: { type: 'string', enum: USER_ROLES },
      organization_id: {
        type: 'integer',
        minimum: 1,
        maximum: 2_147_483_647,
        description: "The new user's organization; the admin's own when omitted.",
      },
      phone_number: nullable({ type: 'string', pattern: '^\\+?\\d{6,15}$', description: 'Digits only, optionally after a +, 6 to 15 of them.' }),
      is_staff: { type: 'boolean', default: false },
    },
  },
  CreateUserResponse: object({
    user: ref('UserProfile'),
    temporary_password: { type: 'string', description: 'Also emailed; the user must change it at first login.' },
    email_sent: { type: 'boolean', description: 'False when the email could not be sent: hand the password over another way.' },
    message: { type: 'string' },
  }),
};

export const adminArea: ApiArea = {
  tag: { name: TAG, description: 'User management, for staff (is_staff) only.' },
  schemas,
  paths: {
    '/api/admin/users/create': {
      post: {
        operationId: 'createUser',
        tags: [TAG],
        summary: 'Create a user with a temporary password',
        description:
          'The password is random, answered once here and emailed to the user (through SMTP, or to the mail outbox folder ' +
          'when EMAIL_HOST is not set). The user must change it at first login.',
        security: BEARER,
        requestBody: jsonRequestBody(ref('CreateUserRequest')),
        responses: {
          '201': jsonResponse('Created.', ref('CreateUserResponse')),
          '400': responses.invalidJsonBody,
          '401': responses.unauthorized,
          '403': responses.forbidden('Only an administrator (is_staff) may create users.'),
          '409': errorResponse('A user with this email already exists.', { codes: ['email_taken'], details: ref('FieldErrors') }),
          '413': responses.jsonBodyTooLarge,
        },
      },
    },
  },
};

// @ts-nocheck -- third-party app code, type-checked by its own tsconfig.json (see SOURCE.md)
import { Context, APIGatewayEvent } from "aws-lambda";

export async function handler(
    _event: APIGatewayEvent,
    _context: Context
) {
    return {
        body: 'Healthy',
        statusCode: '200'
    }
}

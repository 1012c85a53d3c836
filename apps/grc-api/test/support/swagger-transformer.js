// ts-jest AST transformer: @nestjs/swagger's CLI plugin, as the build applies it (webpack.config.js),
// so that the OpenAPI document served in tests (walked by fuzz.spec.ts) describes every DTO field.
const plugin = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-plugin';
module.exports.version = 1;
module.exports.factory = (compiler) => plugin.before({ introspectComments: true, classValidatorShim: true }, compiler.program);

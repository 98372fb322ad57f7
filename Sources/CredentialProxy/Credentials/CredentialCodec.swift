import Foundation
import Store

/// Between `Credential` and its row. Hosts are a JSON array of strings in the `hosts` column.
enum CredentialCodec {
    static func credential(_ record: CredentialRecord) -> Credential {
        let hosts = (try? JSONDecoder().decode([String].self, from: Data(record.hosts.utf8))) ?? []
        return Credential(id: record.id, name: record.name, hosts: hosts, pathPrefix: record.pathPrefix,
                          inject: CredentialInjection(header: record.injectHeader, template: record.injectTemplate),
                          placeholder: record.placeholder, createdAt: record.createdAt,
                          exchange: CredentialExchange.decode(kind: record.exchange, settings: record.exchangeSettings))
    }

    static func record(_ spec: CredentialSpec, id: String, sealed: SealedSecret, createdAt: String) -> CredentialRecord {
        CredentialRecord(id: id, name: spec.name, hosts: hostsJSON(spec.hosts), pathPrefix: spec.pathPrefix,
                         injectHeader: spec.inject.header, injectTemplate: spec.inject.template,
                         placeholder: spec.placeholder, nonce: sealed.nonce, ciphertext: sealed.ciphertext,
                         createdAt: createdAt, exchange: spec.exchange?.kind, exchangeSettings: spec.exchange?.settingsJSON)
    }

    static func hostsJSON(_ hosts: [String]) -> String {
        let data = (try? JSONEncoder().encode(hosts)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func sealed(_ record: CredentialRecord) -> SealedSecret {
        SealedSecret(nonce: record.nonce, ciphertext: record.ciphertext)
    }
}
